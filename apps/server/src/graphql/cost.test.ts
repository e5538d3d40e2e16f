import fs from 'node:fs/promises';
import path from 'node:path';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ROOT } from '../lib/paths';
import { buildAppSchema } from './build-schema';
import { MAX_OPERATION_COST, operationCost, operationCostError, PAGED_FIELDS, UNPAGED_LIST_SIZE } from './cost';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

/** Parses and validates, so every case is an operation the server would accept up to the cost check. */
function doc(query: string): DocumentNode {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return document;
}

const FILE_FIELDS = 'id source target status checksum sizeBytes attempts downloadUrl error { code message }';
const integrator = (first: string) => `query($id: ID!${first === '$n' ? ', $n: Int' : ''}) { stagingRequest(id: $id) { id status files(first: ${first}) { nodes { ${FILE_FIELDS} } } } }`;
// stagingRequest and its files connection, then each file and its error.
const integratorCost = (n: number) => 2 + n * 2;

describe('operationCost', () => {
  it.each<[string, string, Record<string, unknown>, number]>([
    ['files: literal 100', integrator('100'), { id: 'x' }, integratorCost(100)],
    ['files: literal 500', integrator('500'), { id: 'x' }, integratorCost(500)],
    ['files: literal 1000 (the maximum)', integrator('1000'), { id: 'x' }, integratorCost(1000)],
    ['files: variable 500', integrator('$n'), { id: 'x', n: 500 }, integratorCost(500)],
    ['files: variable 1000', integrator('$n'), { id: 'x', n: 1000 }, integratorCost(1000)],
    ['files: variable not given → the argument default (100)', integrator('$n'), { id: 'x' }, integratorCost(100)],
    ['files: variable null → the argument default', integrator('$n'), { id: 'x', n: null }, integratorCost(100)],
    ['files: literal null → the argument default', integrator('null'), { id: 'x' }, integratorCost(100)],
    ['files: the variable’s own default', `query($n: Int = 300) { stagingRequest(id: "x") { files(first: $n) { nodes { ${FILE_FIELDS} } } } }`, {}, integratorCost(300)],
    ['files: no argument → default 100', `{ stagingRequest(id: "x") { files { nodes { ${FILE_FIELDS} } } } }`, {}, integratorCost(100)],
    ['files: first 0 is served as one', `{ stagingRequest(id: "x") { files(first: 0) { nodes { id } } } }`, {}, 3],
    ['files: edges, nodes and pageInfo', '{ stagingRequest(id: "x") { files(first: 10) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage } } } }', {}, 1 + 1 + 10 * 2 + 10 + 1],
    ['stagingRequests: default 20', '{ stagingRequests { nodes { id owner { id } } } }', {}, 1 + 20 * 2],
    ['stagingRequests: literal 200 (the maximum)', '{ stagingRequests(first: 200) { nodes { id } } }', {}, 1 + 200],
    ['stagingRequests: variable', 'query($n: Int) { stagingRequests(first: $n) { nodes { id } } }', { n: 150 }, 1 + 150],
    ['emailOutbox: default 50', '{ emailOutbox { id } }', {}, 50],
    ['emailOutbox: 500 (the maximum)', '{ emailOutbox(first: 500) { id } }', {}, 500],
    ['logs: default 200', '{ logs { id } }', {}, 200],
    ['logs: 10000 (the maximum)', 'query($l: Int) { logs(last: $l) { id } }', { l: 10_000 }, 10_000],
    ['unpaged lists count as a fixed size', '{ users { id } }', {}, UNPAGED_LIST_SIZE],
    ['nested: requests × files', '{ stagingRequests(first: 100) { nodes { files(first: 1000) { nodes { id } } } } }', {}, 1 + 100 * (1 + 1 + 1000)],
    ['fragments count like inline fields', `query { stagingRequest(id: "x") { ...R } } fragment R on StagingRequest { files(first: 7) { nodes { ...F } } } fragment F on StagedFile { ${FILE_FIELDS} }`, {}, integratorCost(7)],
    ['scalars only', '{ me { id email } }', {}, 1],
    ['introspection costs nothing', '{ __schema { types { name fields { name } } } }', {}, 0],
    ['mutation selections count too', `mutation($input: StageInput!) { stage(input: $input) { id files(first: 100) { nodes { ${FILE_FIELDS} } } } }`, { input: { method: 'LOCAL_COPY', items: [{ source: 'a' }] } }, integratorCost(100)],
  ])('%s', (_label, query, variables, expected) => {
    expect(operationCost(schema, doc(query), undefined, variables)).toBe(expected);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['files literal', integrator('1001'), { id: 'x' }, 'files(first:) is at most 1000; got 1001.'],
    ['files variable', integrator('$n'), { id: 'x', n: 1001 }, 'files(first:) is at most 1000; got 1001.'],
    ['stagingRequests', '{ stagingRequests(first: 201) { totalCount } }', {}, 'stagingRequests(first:) is at most 200; got 201.'],
    ['emailOutbox', '{ emailOutbox(first: 501) { id } }', {}, 'emailOutbox(first:) is at most 500; got 501.'],
    ['logs', '{ logs(last: 10001) { id } }', {}, 'logs(last:) is at most 10000; got 10001.'],
  ])('refuses a page over its maximum: %s', (_label, query, variables, message) => {
    const document = doc(query);
    expect(() => operationCost(schema, document, undefined, variables)).toThrow(message);
    const error = operationCostError(schema, document, undefined, variables);
    expect(error?.message).toBe(message);
    expect(error?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an operation over budget, saying by how much', () => {
    const error = operationCostError(schema, doc('{ stagingRequests(first: 100) { nodes { files(first: 1000) { nodes { id } } } } }'));
    expect(error?.message).toBe('This query may return 100,201 objects; the limit is 20,000. Ask for smaller pages.');
    expect(error?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('lets the largest page of each paged field through', () => {
    for (const q of [integrator('1000'), '{ stagingRequests(first: 200) { nodes { id owner { id } macaroons { site } } } }', '{ logs(last: 10000) { id } }', '{ emailOutbox(first: 500) { id } }']) {
      expect(operationCostError(schema, doc(q), undefined, { id: 'x' })).toBeNull();
    }
  });

  it('counts the operation named by operationName', () => {
    const document = doc('query Small { me { id } } query Large { stagingRequests(first: 200) { nodes { id } } }');
    expect(operationCost(schema, document, 'Small')).toBe(1);
    expect(operationCost(schema, document, 'Large')).toBe(201);
  });
});

describe('PAGED_FIELDS', () => {
  it('lists every page argument of the schema, each documenting its maximum', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) if (['first', 'last'].includes(arg.name)) found.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    expect(found.sort()).toEqual(Object.entries(PAGED_FIELDS).map(([key, p]) => `${key}(${p.arg})`).sort());
    for (const [key, p] of Object.entries(PAGED_FIELDS)) {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      const arg = type.getFields()[fieldName]!.args.find((a) => a.name === p.arg)!;
      expect(arg.description).toContain(`–${p.max}.`);
    }
  });
});

/** A value of the variable's type, so every operation's variables coerce. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sample(f.type)]),
    );
  }
  return { Int: 1, Float: 1, Boolean: true, DateTime: '2026-01-01T00:00:00Z' }[getNamedType(type).name] ?? 'x';
}

describe('the web app’s operations', () => {
  it('stay within half the budget with every page at its maximum', async () => {
    const generated = await fs.readFile(path.join(SERVER_ROOT, '../web/src/gql/graphql.ts'), 'utf8');
    const documents = [...generated.matchAll(/new TypedDocumentString\(`([\s\S]*?)`/g)].map((m) => parse(m[1]!)).filter((d) => d.definitions.some((x) => x.kind === Kind.OPERATION_DEFINITION));
    expect(documents.length).toBeGreaterThan(10);
    for (const document of documents) {
      expect(validate(schema, document)).toEqual([]);
      const variables: Record<string, unknown> = {};
      visit(document, {
        VariableDefinition: (v) => {
          if (v.type.kind === Kind.NON_NULL_TYPE) variables[v.variable.name.value] = sample(typeFromAST(schema, v.type) as GraphQLInputType);
        },
      });
      // Each variable passed as a page size takes that page's maximum.
      const typeInfo = new TypeInfo(schema);
      visit(
        document,
        visitWithTypeInfo(typeInfo, {
          Field: (field) => {
            const paged = PAGED_FIELDS[`${typeInfo.getParentType()?.name}.${field.name.value}`];
            const value = field.arguments?.find((a) => a.name.value === paged?.arg)?.value;
            if (paged && value?.kind === Kind.VARIABLE) variables[value.name.value] = paged.max;
          },
        }),
      );
      const cost = operationCost(schema, document, undefined, variables);
      expect(cost, JSON.stringify(variables)).toBeGreaterThan(0);
      expect(cost).toBeLessThanOrEqual(MAX_OPERATION_COST / 2);
    }
  });
});
