#!/usr/bin/env bash
# The README's test command (`npm test`): build, lint, typecheck and test every workspace with Nx
# (cache in .nx/cache), then print the summed "N passed, N failed" line last.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true
rm -f schemas/test-results.json packages/*/test-results.json tools/test-results.json
npx nx run-many -t build bundle lint typecheck test --outputStyle=static --parallel=2 "$@"
nx_rc=$?
node tools/test-summary.mjs
sum_rc=$?
exit $(( nx_rc != 0 ? nx_rc : sum_rc ))
