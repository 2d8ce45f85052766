#!/usr/bin/env bash
# npm run test:windows: the test suite on the Windows build of Bun (bun.exe) under Wine, on x86-64 Linux.
#
#   scripts/test-windows.sh [test files or directories...]   (default: the Windows-capable suites below)
#
# Steps (timings on Debian 12, 2 cores; see ../shared/research/windows-wine.md):
#   1. Wine: installed with apt-get (package wine64: Debian 12 has Wine 8.0) when `wine` is missing (~45 s).
#   2. bun.exe: `npm pack @oven/bun-windows-x64@<devDependencies.bun>` into the cache directory (~3 s, 55 MB).
#   3. A Wine prefix in the cache directory (`wineboot -i`, ~6 s, ~700 MB), reporting Windows 10.
#   4. Wine < 8.13 has no bcryptprimitives.dll, which Bun >= 1.4 imports (ProcessPrng): when bun.exe does not
#      start, a 1 KB forwarding DLL made by scripts/make-forwarder-dll.ts (no compiler) goes into system32.
#   5. The process broker (tests/peers/broker.py) runs natively, so that tests under Wine can start their
#      Python peers (bun.exe gets neither a Linux child's output nor its exit status); an idle bun.exe keeps
#      wineserver warm (cold starts cost ~1.5 s, warm ~0.4 s).
#   6. `wine bun.exe test`, under an outer timeout; then the summary line "windows: N pass / N fail / N skip".
#
# Environment: BUN_SOCKET_WINE_DIR (cache, default .tmp/wine), BUN_SOCKET_WINE_TIMEOUT (seconds, default 1200),
# BUN_SOCKET_WINE_NO_INSTALL=1 (fail instead of installing Wine).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
dir="${BUN_SOCKET_WINE_DIR:-$root/.tmp/wine}"
limit="${BUN_SOCKET_WINE_TIMEOUT:-1200}"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
started=$(date +%s)
say() { echo "== test:windows: $*"; }

# The Windows-capable suites: core (unit, socket), name resolution (oracle, portable/names), the Python 3 layer
# and select (portable). Tests that need what this OS or Wine lacks skip by feature detection, printing why
# (tests/helpers/platform.ts). tests/api compares with a same-OS python3 throughout (errno numbers, epoll,
# /proc): not in this list until it uses those detections too; tests/examples and tests/tls need Linux tools.
default_tests=(tests/unit tests/socket tests/oracle tests/portable)

# 1. Wine
if ! command -v wine >/dev/null; then
  if [[ "${BUN_SOCKET_WINE_NO_INSTALL:-0}" == 1 ]]; then
    echo "test:windows: wine is not installed" >&2
    exit 2
  fi
  say "installing Wine (apt-get install wine64)"
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q wine64 >/dev/null || {
    echo "test:windows: could not install wine64" >&2
    exit 2
  }
fi
say "$(wine --version 2>/dev/null)"

# 2. bun.exe of the same version as the Linux Bun this project pins.
ver=$(python3 -c 'import json; print(json.load(open("package.json"))["devDependencies"]["bun"])')
exe="$dir/bun-$ver/package/bin/bun.exe"
if [[ ! -f "$exe" ]]; then
  say "fetching @oven/bun-windows-x64@$ver"
  (cd "$dir" && timeout 300 npm pack --silent "@oven/bun-windows-x64@$ver" >/dev/null) || {
    echo "test:windows: npm pack @oven/bun-windows-x64@$ver failed" >&2
    exit 2
  }
  mkdir -p "$dir/bun-$ver" && tar xzf "$dir/oven-bun-windows-x64-$ver.tgz" -C "$dir/bun-$ver" || exit 2
fi

# 3. The prefix.
export WINEPREFIX="$dir/prefix" WINEDEBUG="${WINEDEBUG:--all}" WINEARCH=win64
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  say "creating the Wine prefix"
  timeout 180 wineboot -i >/dev/null 2>&1
  timeout 120 wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1
fi

# 4. bcryptprimitives.dll for Wine < 8.13 (feature-detected: only when bun.exe does not start).
if ! timeout 120 wine "$exe" --version >/dev/null 2>&1; then
  dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
  say "bun.exe does not start: adding the bcryptprimitives.dll forwarder (ProcessPrng -> advapi32.SystemFunction036)"
  bun scripts/make-forwarder-dll.ts "$dll" >/dev/null || exit 2
  timeout 120 wine "$exe" --version >/dev/null 2>&1 || {
    echo "test:windows: bun.exe $ver does not start under $(wine --version)" >&2
    exit 3
  }
fi
# (Wine's output goes to files, never to a pipe: helper processes it starts would keep a pipe open.)
timeout 120 wine "$exe" --version >"$dir/version.out" 2>/dev/null
say "bun.exe $(tr -d '\r' <"$dir/version.out") ready ($(($(date +%s) - started)) s)"

# 5. The process broker and a warm wineserver.
broker_out="$dir/broker.out"
python3 tests/peers/broker.py >"$broker_out" 2>"$dir/broker.err" &
broker=$!
keeper=""
cleanup() {
  kill "$broker" 2>/dev/null
  [[ -n "$keeper" ]] && kill "$keeper" 2>/dev/null
  wineserver -k 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q '^READY' "$broker_out" 2>/dev/null && break
  sleep 0.1
done
port=$(awk '/^READY/ {print $2}' "$broker_out")
[[ -n "$port" ]] || {
  echo "test:windows: the process broker did not start: $(cat "$dir/broker.err")" >&2
  exit 2
}
export BUN_SOCKET_PEER_BROKER="127.0.0.1:$port"
timeout "$((limit + 60))" wine "$exe" -e 'setInterval(() => {}, 1 << 30)' >/dev/null 2>&1 &
keeper=$!

# 6. The run. Wine passes bun's exit status through.
if [[ $# -gt 0 ]]; then tests=("$@"); else tests=("${default_tests[@]}"); fi
say "wine bun.exe test ${tests[*]} (outer timeout ${limit}s)"
log="$dir/last-run.log"
# Output goes to a file, not a pipe: Wine's helper processes (services.exe, ...) inherit the descriptors of
# the process that started them and would keep a pipe open after bun.exe exits. `tail` shows it live.
: >"$log"
timeout --kill-after=10 "$limit" wine "$exe" test "${tests[@]}" >"$log" 2>&1 &
run=$!
tail -n +1 -f "$log" --pid="$run" | grep --line-buffered -v '^Internal error: directory mismatch'
wait "$run"
rc=$?
pass=$(grep -Eo '^ *[0-9]+ pass' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skip=$(grep -Eo '^ *[0-9]+ skip' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
[[ $rc == 124 || $rc == 137 ]] && echo "test:windows: the outer timeout (${limit}s) ended the run" >&2
echo "windows: ${pass:-0} pass / ${fail:-0} fail / ${skip:-0} skip ($(($(date +%s) - started)) s, exit $rc)"
exit "$rc"
