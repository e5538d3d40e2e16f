/** Writes apps/server/schema.graphql from code (no database needed): `pnpm gql:emit`. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { SERVER_ROOT } from '../lib/paths';
import { buildAppSchema } from './build-schema';

export const SCHEMA_FILE = path.join(SERVER_ROOT, 'schema.graphql');

export async function printAppSchema(): Promise<string> {
  const header = '# GENERATED from the server code by `pnpm gql:emit` — do not edit by hand.\n\n';
  return header + printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const i = process.argv.indexOf('--out');
  const arg = i > 0 ? process.argv[i + 1] : undefined;
  const out = arg ? path.resolve(arg) : SCHEMA_FILE;
  await fs.writeFile(out, await printAppSchema());
  console.log(`wrote ${out}`);
}
