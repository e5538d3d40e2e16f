import { Button, Group } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../../components/page';
import { paths } from '../../config/paths';
import { RequestsList } from '../../features/requests/components/requests-list';

export function RequestsPage() {
  return (
    <Page title="Requests" heading="Your requests" description="Everything you have staged, newest first. Running requests update live.">
      <Group>
        <Button component={Link} to={paths.stage}>
          Stage files
        </Button>
      </Group>
      <RequestsList scope="mine" />
    </Page>
  );
}
