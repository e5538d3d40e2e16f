import { Alert, Button, Stack, Text } from '@mantine/core';
import { errorMessage, type MessageOverrides } from '../lib/errors';

interface QueryErrorProps {
  /** What could not be done, e.g. "Requests could not be loaded". */
  title: string;
  error: unknown;
  onRetry?: () => void;
  retrying?: boolean;
  overrides?: MessageOverrides;
}

/** A failed load: what failed, the human message for its code, and a retry button. */
export function QueryError({ title, error, onRetry, retrying = false, overrides }: QueryErrorProps) {
  return (
    <Alert color="red" title={title} role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{errorMessage(error, overrides)}</Text>
        {onRetry && (
          <Button size="xs" variant="light" color="red" onClick={onRetry} loading={retrying}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
