#!/usr/bin/env bash
# The whole suite, in the order a newcomer wants failures reported: cheap static checks first.
# Called by `npm test` (through scripts/run.sh, which has bootstrapped, installed and built).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  printf '\n\033[1m━━ %s\033[0m\n' "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

step "typecheck" pnpm -r --workspace-concurrency=1 typecheck
step "lint" eslint --max-warnings 0 .
step "generated schema and client types are up to date" bash scripts/check-generated.sh
step "unit and database tests" vitest run
step "browser tests" bash -c 'cd e2e && pnpm exec playwright test'

echo
if [ "$failed" -gt 0 ]; then
  printf 'failed steps: %s\n' "${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
