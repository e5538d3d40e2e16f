import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const SUBSCRIPTION_OVER_HTTP_MESSAGE =
  'Subscriptions run over the WebSocket at /graphql (graphql-transport-ws protocol), not over HTTP.';

/**
 * Refuses subscription operations over HTTP with BAD_USER_INPUT (status 400). Apollo would run one
 * as a query: its field resolver without a source event, which fails on our side. A client that
 * chooses its transport from an outdated parse of the document (GraphiQL right after an edit)
 * sends them here.
 */
export function subscriptionsOverWebSocketOnlyPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ operation }) => {
        if (operation?.operation === 'subscription')
          throw new GraphQLError(SUBSCRIPTION_OVER_HTTP_MESSAGE, {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
      },
    }),
  };
}
