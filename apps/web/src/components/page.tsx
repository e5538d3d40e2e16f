import { Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { usePageTitle } from '../lib/use-page-title';

interface PageProps {
  /** Used for `document.title` ("<title> · Stagecoach") and, unless `heading` is given, the h1. */
  title: string;
  heading?: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
}

/** Frame of every routed page: sets the document title and renders the page's single h1. */
export function Page({ title, heading, description, children }: PageProps) {
  usePageTitle(title);
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={1}>{heading ?? title}</Title>
        {description && <Text c="dimmed">{description}</Text>}
      </Stack>
      {children}
    </Stack>
  );
}
