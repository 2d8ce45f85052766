#!/usr/bin/env bash
# Fails when process.platform is read anywhere in src/ but src/ffi/index.ts (OS differences are data).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rIl 'process\.platform' src | grep -v '^src/ffi/index.ts$' || true)
if [ -n "$bad" ]; then
  echo "process.platform is read outside src/ffi/index.ts:" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi
echo "platform check: process.platform only in src/ffi/index.ts"
