#!/usr/bin/env bash
# The README's test command (`npm test`): build, lint, typecheck and test every workspace with Nx
# (cache in .nx/cache), then print the summed "N passed, N failed" line last.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true
rm -f schemas/test-results.json packages/*/test-results.json tools/test-results.json
nx_log=$(mktemp)
trap 'rm -f "$nx_log"' EXIT
npx nx run-many -t build bundle lint typecheck test --outputStyle=static --parallel=2 "$@" 2>&1 | tee "$nx_log"
nx_rc=${PIPESTATUS[0]}
# Tasks Nx lists as failed (a lint error, a type error, a coverage threshold, a build) count as
# failures in the final line too, so it never says "0 failed" when the command fails.
node tools/test-summary.mjs --nx-log "$nx_log"
sum_rc=$?
exit $(( nx_rc != 0 ? nx_rc : sum_rc ))
