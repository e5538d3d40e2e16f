import { Alert, Anchor, Container, Text } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { Page } from '../../components/page';
import { errorMessage } from '../../lib/errors';
import { NotFoundPage } from './not-found-page';

/**
 * Shown when rendering a route throws; never shows the raw error or its stack. `standalone` is
 * for failures of the app shell itself, when there is no surrounding `<main>`.
 */
export function RouteErrorPage({ standalone = false }: { standalone?: boolean }) {
  const error = useRouteError();
  if (import.meta.env.DEV) console.error(error);
  const content =
    isRouteErrorResponse(error) && error.status === 404 ? (
      <NotFoundPage />
    ) : (
      <Page title="Something went wrong">
        <Alert color="red" role="alert">
          <Text size="sm">{errorMessage(error)}</Text>
        </Alert>
        <Text>
          <Anchor href="/">Reload Stagecoach</Anchor>
        </Text>
      </Page>
    );
  return standalone ? (
    <Container size="sm" py="xl" component="main">
      {content}
    </Container>
  ) : (
    content
  );
}
