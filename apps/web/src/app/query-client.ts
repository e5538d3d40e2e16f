import { QueryClient } from '@tanstack/react-query';
import { isRetryableError } from '../lib/errors';

const MAX_RETRIES = 2;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Retrying cannot fix a permission or validation error; it only delays the message.
        retry: (failureCount, error) => failureCount < MAX_RETRIES && isRetryableError(error),
      },
      mutations: { retry: false },
    },
  });
}
