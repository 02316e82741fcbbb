#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds, type-checks, then runs
# unit, functional and full-stack tests with node's test runner.
#   scripts/test.sh            everything
#   scripts/test.sh unit       only test/unit (no daemons needed)
#   scripts/test.sh FILE...    the given test files
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
[ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
if [ $# -eq 0 ]; then
  mapfile -t files < <(find test/unit test/functional test/fullstack -name '*.test.ts' | sort)
elif [ -d "test/$1" ]; then
  mapfile -t files < <(find "test/$1" -name '*.test.ts' | sort)
else
  files=("$@")
fi
node --import tsx --test --test-reporter=spec --test-concurrency=2 "${files[@]}"
