import { Stack, Text, Title } from '@mantine/core';
import { Page } from '../../components/page';
import { MethodsList } from '../../features/methods/components/methods-list';

export function HomePage() {
  return (
    <Page
      title="Home"
      heading="Welcome to Stagecoach"
      description="Stage archive files where you work: copied or linked into your user area, into Jupyter, to object storage, online from tape, or as a download."
    >
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
