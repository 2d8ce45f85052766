#!/usr/bin/env bash
# What sets one B sender apart from another: each sender against bench/build/bulk sink, modes interleaved
# round by round; prints every run, then each mode's median and range in GB/s.
#   bench/bulk-sender/run.sh [rounds=6] [MiB=2048] [sink core=1] [modes...]
# Modes: block nodelay dontwait hybrid dwnd (bench/bulk-sender/send.c), bun and bun-delay (Bun.connect, with
# its default TCP_NODELAY and with setNoDelay(false)), bs and bs-nodelay (bun-socket), py and py-nodelay.
# The sender runs on core 0 (sink core 1: two cores; 0: one core). Needs taskset and cc.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-6}
TOTAL=$(( ${2:-2048} * 1048576 ))
SINK=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
MODES=${*:-block nodelay dontwait bun bun-delay bs bs-nodelay py}
BUN=node_modules/.bin/bun
mkdir -p bench/build
cc -O2 -o bench/build/bulk bench/c/bulk.c
cc -O2 -o bench/build/bulk-sender bench/bulk-sender/send.c
CHUNK=262144
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for r in $(seq "$ROUNDS"); do
  for m in $MODES; do
    coproc SINKP { exec timeout 120 taskset -c "$SINK" bench/build/bulk sink 0 $CHUNK; }
    read -r line <&"${SINKP[0]}"
    port=${line#READY }
    case $m in
      bun) cmd=($BUN bench/impl/bun.ts bulk-send "$port" $TOTAL $CHUNK) ;;
      bun-delay) cmd=($BUN bench/impl/bun.ts bulk-send "$port" $TOTAL $CHUNK delay) ;;
      bs) cmd=($BUN bench/impl/bunsocket.ts bulk-send "$port" $TOTAL $CHUNK) ;;
      bs-nodelay) cmd=($BUN bench/impl/bunsocket.ts bulk-send "$port" $TOTAL $CHUNK nodelay) ;;
      py) cmd=(python3 bench/impl/python.py bulk-send "$port" $TOTAL $CHUNK) ;;
      py-nodelay) cmd=(python3 bench/impl/python.py bulk-send "$port" $TOTAL $CHUNK nodelay) ;;
      *) cmd=(bench/build/bulk-sender "$port" $TOTAL $CHUNK "$m") ;;
    esac
    rate=$(timeout 120 taskset -c 0 "${cmd[@]}" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["rate"] / 1e9)')
    wait "$SINKP_PID" 2>/dev/null || true
    printf '%s %s %.3f\n' "$r" "$m" "$rate" | tee -a "$OUT"
  done
done
python3 - "$OUT" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    _, mode, rate = line.split()
    runs.setdefault(mode, []).append(float(rate))
for mode, v in runs.items():
    print(f"{mode:11} median {statistics.median(v):.2f} GB/s  range {min(v):.2f}-{max(v):.2f}  ({len(v)} runs)")
PY
