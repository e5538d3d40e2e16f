/**
 * Query cost: how many objects an operation may return, counted from the page sizes it asks for.
 * graphql-js validation rules never see variable values, so the check runs once the operation is
 * resolved (an Apollo plugin over HTTP, after `validate` in graphql-ws's onSubscribe) and counts
 * `files(first: $n)` exactly like `files(first: 500)`.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { LOGS_LAST_MAX } from '../modules/logs/logs.service';
import { BROWSE_PAGE_MAX } from '../modules/sites/sites.service';
import { OUTBOX_PAGE_MAX } from '../modules/mail/mail.service';
import { FILES_PAGE_MAX, REQUESTS_PAGE_MAX } from '../modules/staging/staging.service';

/**
 * The budget. The largest single page the server serves is 10,000 log entries or 1,000 files with a
 * few objects each, so 20,000 lets any one full page through with room to spare, while pages of
 * pages (100 requests × 1,000 files = 100,201 objects) are refused.
 */
export const MAX_OPERATION_COST = 20_000;

/** Fields that take a page size, by `Type.field`: the argument and the most the server serves. */
export const PAGED_FIELDS: Readonly<Record<string, { arg: string; max: number }>> = {
  'Query.stagingRequests': { arg: 'first', max: REQUESTS_PAGE_MAX },
  'StagingRequest.files': { arg: 'first', max: FILES_PAGE_MAX },
  'Query.emailOutbox': { arg: 'first', max: OUTBOX_PAGE_MAX },
  'Query.logs': { arg: 'last', max: LOGS_LAST_MAX },
  'Query.browse': { arg: 'first', max: BROWSE_PAGE_MAX },
};

/**
 * Lists without a page argument are short by nature (a user's tokens, the sites, the methods, a
 * request's macaroons) or only reachable at the top (users, one folder of `browse`): each counts as
 * this many entries.
 */
export const UNPAGED_LIST_SIZE = 50;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * The most objects (not scalars) the operation may return: each object counts 1, a list multiplies
 * what it holds by its page size (the `first`/`last` argument, a literal, a variable or the schema's
 * default). Throws BAD_USER_INPUT when a page argument is over its maximum. Expects a validated
 * document; 0 when its operation or variables are unusable (execution refuses those itself).
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return 0;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return selectionCost({ schema, fragments, variables: coerced.coerced }, root, operation.selectionSet, undefined);
}

/** The error to answer instead of running the operation, or null when it is within budget. */
export function operationCostError(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): GraphQLError | null {
  let cost: number;
  try {
    cost = operationCost(schema, document, operationName, variables);
  } catch (e) {
    if (e instanceof GraphQLError) return e;
    throw e;
  }
  if (cost <= MAX_OPERATION_COST) return null;
  return badInput(`This query may return ${formatCount(cost)} objects; the limit is ${formatCount(MAX_OPERATION_COST)}. Ask for smaller pages.`);
}

/** Refuses operations over budget (or over a page maximum) before they run, with HTTP status 400. */
export function operationCostPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ schema, document, operationName, request }) => {
        const error = operationCostError(schema, document, operationName, request.variables);
        if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
      },
    }),
  };
}

/** `pageSize`: the page of the connection whose selection this is (its `nodes`/`edges` lists). */
function selectionCost(walk: Walk, parent: GraphQLNamedType, set: SelectionSetNode, pageSize: number | undefined): number {
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      total += fieldCost(walk, parent, sel, pageSize);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const type = sel.typeCondition ? walk.schema.getType(sel.typeCondition.name.value) : parent;
      if (type) total += selectionCost(walk, type, sel.selectionSet, pageSize);
    } else {
      const fragment = walk.fragments[sel.name.value];
      const type = fragment && walk.schema.getType(fragment.typeCondition.name.value);
      if (fragment && type) total += selectionCost(walk, type, fragment.selectionSet, pageSize);
    }
  }
  return total;
}

function fieldCost(walk: Walk, parent: GraphQLNamedType, node: FieldNode, pageSize: number | undefined): number {
  const name = node.name.value;
  // Scalars cost nothing; introspection describes a fixed, finite schema.
  if (!node.selectionSet || name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
  const def = parent.getFields()[name];
  if (!def) return 0;
  const type = getNamedType(def.type);
  const paged = PAGED_FIELDS[`${parent.name}.${name}`];
  let size: number | undefined;
  if (paged) {
    const requested = getArgumentValues(def, node, walk.variables)[paged.arg] ?? def.args.find((a) => a.name === paged.arg)?.defaultValue;
    if (typeof requested === 'number' && requested > paged.max) throw badInput(`${name}(${paged.arg}:) is at most ${paged.max}; got ${requested}.`);
    // The services serve at least one item whatever was asked.
    size = Math.max(1, typeof requested === 'number' ? requested : paged.max);
  }
  if (isListType(getNullableType(def.type))) {
    return (size ?? pageSize ?? UNPAGED_LIST_SIZE) * (1 + selectionCost(walk, type, node.selectionSet, undefined));
  }
  return 1 + selectionCost(walk, type, node.selectionSet, size);
}
