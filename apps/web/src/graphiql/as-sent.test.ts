import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asSent } from './as-sent';

describe('asSent (the explorer picks its transport from the text it sends)', () => {
  it('a subscription run before GraphiQL re-parsed the editor is still recognised as one', () => {
    const stale = parse('{ me { email } }');
    const [params, documentAST] = asSent(
      { query: 'subscription { stagingRequestUpdated(id: "r1") { id } }', operationName: null },
      stale,
    );
    expect(getOperationAST(documentAST!, params.operationName)?.operation).toBe('subscription');
  });

  it('drops an operation name the text no longer has, and keeps one it does', () => {
    expect(
      asSent({ query: 'subscription { logAppended { id } }', operationName: 'Explorer' }, undefined)[0].operationName,
    ).toBeUndefined();
    expect(
      asSent({ query: 'query A { me { email } } subscription B { logAppended { id } }', operationName: 'B' }, undefined)[0]
        .operationName,
    ).toBe('B');
    expect(
      asSent({ query: 'query A { me { email } } query B { me { role } }', operationName: 'C' }, undefined)[0].operationName,
    ).toBeUndefined();
  });

  it('leaves text that does not parse to the server, which says what is wrong', () => {
    const stale = parse('{ me { email } }');
    expect(asSent({ query: '{ me {', operationName: null }, stale)).toEqual([{ query: '{ me {', operationName: null }, stale]);
  });
});
