/**
 * Runs the selectors benchmark in Python and in bun-socket and prints the cost ratio.
 *
 *   bun bench/select/run.ts [--runs 5] [--idle 1000] [--iters 20000] [--size 64] [--check]
 *
 * Each run is one fresh process per implementation (alternating, Python first). Per
 * implementation it reports the median and the best (minimum) of its runs' microseconds per loop
 * iteration; the ratio is bun-socket / Python for both (below 1: bun-socket is faster). The best-of
 * ratio is the one `--check` holds to the issue's bound of 1.2: on a busy machine the medians
 * mostly measure the neighbours.
 */
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const argv = process.argv.slice(2);
const opt = (name: string, d: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : d;
};
const runs = opt("runs", 5);
const idle = opt("idle", 1000);
const iters = opt("iters", 20000);
const size = opt("size", 64);
const check = argv.includes("--check");
const BOUND = 1.2;

interface Result {
  impl: string;
  selector: string;
  us_per_iter: number;
}

function python(): string {
  const r = Bun.spawnSync([
    "python3",
    "-c",
    "import sys; print(sys.executable)",
  ]);
  return r.exitCode === 0 ? r.stdout.toString().trim() : "python3";
}

function once(cmd: string[]): Result {
  const r = Bun.spawnSync({
    cmd: [...cmd, String(idle), String(iters), String(size)],
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000,
  });
  if (r.exitCode !== 0)
    throw new Error(`${cmd.join(" ")} failed (${r.exitCode}):\n${r.stderr}`);
  const lines = r.stdout.toString().trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Result;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const py: number[] = [];
const bun: number[] = [];
let pySel = "";
let bunSel = "";
const pyCmd = [python(), "bench/select/selectors_loop.py"];
const bunCmd = [process.execPath, "bench/select/selectors_loop.ts"];
for (let i = 0; i < runs; i++) {
  const p = once(pyCmd);
  const b = once(bunCmd);
  py.push(p.us_per_iter);
  bun.push(b.us_per_iter);
  pySel = p.selector;
  bunSel = b.selector;
}
const ratio = median(bun) / median(py);
const best = Math.min(...bun) / Math.min(...py);
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(" ");
console.log(
  `selectors loop: ${idle} idle + 1 active loopback TCP connections, ${iters} iterations of ${size}-byte echo, ${runs} runs each`,
);
console.log(
  `  python     ${pySel.padEnd(14)} us/iter: ${fmt(py)}  median ${median(py).toFixed(2)}  best ${Math.min(...py).toFixed(2)}`,
);
console.log(
  `  bun-socket ${bunSel.padEnd(14)} us/iter: ${fmt(bun)}  median ${median(bun).toFixed(2)}  best ${Math.min(...bun).toFixed(2)}`,
);
console.log(
  `  ratio bun-socket / python: best-of ${best.toFixed(3)}, median ${ratio.toFixed(3)} (bound ${BOUND})`,
);
console.log(
  JSON.stringify({
    ratio_best: best,
    ratio_median: ratio,
    python_us: { median: median(py), best: Math.min(...py) },
    bun_us: { median: median(bun), best: Math.min(...bun) },
    idle,
    iters,
    size,
    runs,
  }),
);
if (check && best > BOUND) process.exit(1);
