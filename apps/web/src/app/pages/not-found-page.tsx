import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../../components/page';
import { paths } from '../../config/paths';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Text>
        There is no page at this address.{' '}
        <Anchor component={Link} to={paths.home}>
          Go to the home page
        </Anchor>
        .
      </Text>
    </Page>
  );
}
