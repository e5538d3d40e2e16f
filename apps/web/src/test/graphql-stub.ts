import { vi } from 'vitest';
import { jsonResponse } from './render';

type Handler = (variables: Record<string, unknown>) => unknown;

/**
 * Stubs `fetch` for /graphql, answering by operation name: a handler returns the JSON body
 * (`{ data }` or `{ errors }`). Calls are recorded as { operation, variables } for assertions.
 */
export function stubGraphQL(handlers: Record<string, Handler>) {
  const calls: Array<{ operation: string; variables: Record<string, unknown> }> = [];
  const fetchMock = vi.fn<typeof fetch>(async (_url, init) => {
    const { query, variables } = JSON.parse(String(init?.body)) as { query: string; variables: Record<string, unknown> };
    const operation = /(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1] ?? '';
    calls.push({ operation, variables });
    const handler = handlers[operation];
    if (!handler) throw new Error(`no stub for GraphQL operation ${operation}`);
    return jsonResponse(await handler(variables));
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock, of: (operation: string) => calls.filter((c) => c.operation === operation) };
}
