import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../../components/page';
import { paths } from '../../config/paths';
import { MethodsList } from '../../features/methods/components/methods-list';
import { RequestsList } from '../../features/requests/components/requests-list';
import { useMe } from '../../features/session/api/get-me';
import { SIGN_IN_PATH } from '../../features/session/components/current-user';

export function HomePage() {
  const { data: me } = useMe();
  const active = me?.status === 'ACTIVE';
  return (
    <Page
      title="Home"
      heading="Welcome to Stagecoach"
      description="Stage archive files where you work: copied or linked into your user area, into Jupyter, to object storage, online from tape, or as a download."
    >
      {active ? (
        <Group gap="sm">
          <Button component={Link} to={paths.stage} size="md">
            Stage files
          </Button>
          <Button component={Link} to={paths.logs} size="md" variant="default">
            Open the live log
          </Button>
        </Group>
      ) : me?.status === 'PENDING' ? (
        <Alert color="yellow" title="Your account is waiting for approval">
          <Text size="sm">
            An administrator has been told about your sign-up. You will get an email at {me.email} as soon as they have decided.
          </Text>
        </Alert>
      ) : me && me.status !== 'ACTIVE' ? (
        <Alert color="red" title={me.status === 'REJECTED' ? 'Your account request was declined' : 'Your account is disabled'}>
          <Text size="sm">Please contact the administrators of this service if you think this is a mistake.</Text>
        </Alert>
      ) : (
        me === null && (
          <Group gap="sm">
            <Button component="a" href={SIGN_IN_PATH} size="md">
              Sign in to stage data
            </Button>
          </Group>
        )
      )}

      {active && (
        <Stack gap="sm" component="section" aria-labelledby="recent-requests-heading">
          <Group justify="space-between" align="baseline">
            <Title order={2} id="recent-requests-heading">
              Recent requests
            </Title>
            <Anchor component={Link} to={paths.requests} size="sm">
              See all requests
            </Anchor>
          </Group>
          <RequestsList scope="mine" pageSize={5} compact headingOrder={3} />
        </Stack>
      )}

      <Stack gap="sm" component="section" aria-labelledby="staging-methods-heading">
        <Title order={2} id="staging-methods-heading">
          Staging methods
        </Title>
        <Text size="sm" c="dimmed">
          The ways this service can make data available to you.
        </Text>
        <MethodsList headingOrder={3} />
      </Stack>
    </Page>
  );
}
