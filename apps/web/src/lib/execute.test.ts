import { describe, expect, it, vi } from 'vitest';
import { TypedDocumentString } from '../gql/graphql';
import { jsonResponse } from '../test/render';
import { execute, GraphQLRequestError } from './execute';

const Query = new TypedDocumentString('query ExecuteTestMe { me { id } }') as TypedDocumentString<
  { me: { id: string } | null },
  Record<string, never>
>;

async function failureOf(promise: Promise<unknown>): Promise<GraphQLRequestError> {
  const error = await promise.then(
    () => expect.unreachable('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphQLRequestError);
  return error as GraphQLRequestError;
}

describe('execute', () => {
  it('returns data of a successful operation', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ data: { me: { id: 'u1' } } })));
    await expect(execute(Query)).resolves.toEqual({ me: { id: 'u1' } });
  });

  it('carries extensions.code and extensions of the first error, also on an HTTP 400', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          { errors: [{ message: 'missing', extensions: { code: 'SOURCE_NOT_FOUND', items: ['a.txt'] } }] },
          { status: 400 },
        ),
      ),
    );
    const error = await failureOf(execute(Query));
    expect(error.code).toBe('SOURCE_NOT_FOUND');
    expect(error.extensions.items).toEqual(['a.txt']);
    expect(error.status).toBe(400);
  });

  it('reports NETWORK_ERROR when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    expect((await failureOf(execute(Query))).code).toBe('NETWORK_ERROR');
  });

  it('reports NETWORK_ERROR for a non-JSON gateway error page', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 })));
    expect((await failureOf(execute(Query))).code).toBe('NETWORK_ERROR');
  });

  it('maps an HTTP 401 without a GraphQL body to UNAUTHENTICATED', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({}, { status: 401 })));
    expect((await failureOf(execute(Query))).code).toBe('UNAUTHENTICATED');
  });
});
