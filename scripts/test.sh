#!/usr/bin/env bash
# npm test: type check, format check, the process.platform check, then bun test, all under one outer
# timeout so that a hang fails the run instead of stalling CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
limit="${BUN_SOCKET_TEST_TIMEOUT:-1200}"
echo "== tsc --noEmit"
timeout 300 tsc --noEmit
echo "== prettier --check"
timeout 120 prettier --check . --log-level warn
echo "== platform check"
bash scripts/check-platform.sh
echo "== bun test (outer timeout ${limit}s)"
# Per-test timeout: blocking tests carry their own socket timeouts; 30 s is the backstop (bunfig has no such key).
exec timeout --kill-after=10 "$limit" bun test --timeout 30000 "$@"
