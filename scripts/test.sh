#!/usr/bin/env bash
# The whole test suite: installs what the tests need, builds, type-checks, then runs
# unit, functional and full-stack tests with node's test runner.
#   scripts/test.sh            everything, then tempest's network API tests against a real Keystone
#                              (scripts/tempest/run.sh, 10–20 minutes)
#   scripts/test.sh unit       only test/unit (no daemons needed)
#   scripts/test.sh tempest    only the tempest run
#   scripts/test.sh FILE...    the given test files
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
[ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
if [ "${1:-}" = tempest ]; then
  exec bash scripts/tempest/run.sh
fi
if [ $# -eq 0 ]; then
  mapfile -t files < <(find test/unit test/functional test/fullstack -name '*.test.ts' | sort)
elif [ -d "test/$1" ]; then
  mapfile -t files < <(find "test/$1" -name '*.test.ts' | sort)
else
  files=("$@")
fi
rc=0
node --import tsx --test --test-reporter=spec --test-concurrency=2 "${files[@]}" || rc=$?
if [ $# -eq 0 ]; then
  # Tempest runs even when a node test failed, so one CI run reports both.
  bash scripts/tempest/run.sh || rc=$((rc ? rc : $?))
fi
exit "$rc"
