// Monaco's editor, JSON and GraphQL workers as files of this build (no CDN), created by Vite.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CSRF_HEADER, GRAPHQL_PATH } from '../lib/execute';
import { graphqlWsUrl } from '../lib/ws-client';
import { asSent } from './as-sent';

/** Works for any signed-in user; also shows where the data comes from. */
export const DEFAULT_QUERY = `# Runs as the signed-in user, or paste an API token in Headers:
# {"Authorization": "Bearer <token>"}
{
  me {
    email
    role
  }
  stagingMethods {
    method
    label
  }
}
`;

const base = createGraphiQLFetcher({
  url: GRAPHQL_PATH,
  subscriptionUrl: graphqlWsUrl(),
  // The session cookie goes along (same origin); the server wants this header with it.
  headers: { ...CSRF_HEADER },
});

// Subscriptions pass the headers editor's entries as connection parameters, which the server reads
// in lower case (`authorization`); HTTP headers ignore case, so lower-casing them all is harmless.
const fetcher: Fetcher = (params, opts) => {
  const [sent, documentAST] = asSent(params, opts?.documentAST);
  return base(sent, {
    ...opts,
    documentAST,
    headers: opts?.headers && Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k.toLowerCase(), v])),
  });
};

const root = document.getElementById('root');
if (!root) throw new Error('graphiql.html must contain <div id="root">');

// A link such as /graphql?query=… opens with that query.
const initialQuery = new URLSearchParams(window.location.search).get('query') ?? undefined;

createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} initialQuery={initialQuery} />
  </StrictMode>,
);
