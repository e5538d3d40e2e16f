#!/usr/bin/env bash
# Fails when apps/server/schema.graphql, apps/web/src/gql or libs/client/src/gql differ from what the code generates.
# Generates into a temporary copy and compares, so the working tree is never modified.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd apps/server && pnpm exec tsx src/graphql/emit-schema.ts --out "$tmp/schema.graphql" >/dev/null)
if ! diff -u apps/server/schema.graphql "$tmp/schema.graphql"; then
  echo "apps/server/schema.graphql is stale: run 'pnpm gql:emit && pnpm codegen' and commit the result." >&2
  exit 1
fi
if ! (cd apps/web && pnpm exec graphql-codegen --config codegen.ts --check >/dev/null); then
  echo "apps/web/src/gql is stale: run 'pnpm codegen' and commit the result." >&2
  exit 1
fi
if ! (cd libs/client && pnpm exec graphql-codegen --config codegen.ts --check >/dev/null); then
  echo "libs/client/src/gql is stale: run 'pnpm codegen' and commit the result." >&2
  exit 1
fi
echo "schema.graphql and generated client types are up to date"
