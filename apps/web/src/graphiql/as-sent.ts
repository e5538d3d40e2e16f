import type { FetcherParams } from '@graphiql/toolkit';
import { Kind, parse, type DocumentNode } from 'graphql';

/** The document as sent; undefined when it does not parse (the server then explains why). */
function parsed(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

/**
 * GraphiQL re-reads the editor only 100 ms after the last keystroke, and a query run sooner goes
 * with the previous text's parse and operation name: the fetcher would then post a subscription
 * over HTTP, or name an operation the text no longer has. So both come from the text actually sent.
 */
export function asSent(params: FetcherParams, stale: DocumentNode | undefined): [FetcherParams, DocumentNode | undefined] {
  const documentAST = parsed(params.query);
  if (!documentAST) return [params, stale];
  const names = documentAST.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
  const operationName =
    names.length === 1 ? names[0] : names.includes(params.operationName ?? undefined) ? params.operationName : undefined;
  return [{ ...params, operationName }, documentAST];
}
