import { Text } from '@mantine/core';
import { Page } from '../../components/page';

/** Placeholder for a section that has not been built yet. */
export function ComingSoonPage({ title }: { title: string }) {
  return (
    <Page title={title}>
      <Text>This page is coming soon.</Text>
    </Page>
  );
}
