/**
 * Where bench E's start-up time goes: the same `bun -e` measurement as `bench/run.ts` section E, split into
 * the parts a bun-socket import is made of, each measured over an empty `bun -e 0` in interleaved runs.
 *
 *   bun bench/startup/run.ts [--runs N]
 *
 * Rows:
 * - any file import: `import` of a one-line .ts file (what every library pays, before its own code)
 * - bun:ffi + dlopen: the FFI module and one dlopen of libc with one symbol
 * - bun-socket, package entry: `import * as socket` from dist/index.js (scripts/build.ts) and one socket created
 *   and closed (bench E itself)
 * - bun-socket, sources: the same from src/index.ts (22 modules at import)
 * - one-file bundle: src/'s start-up graph bundled by `Bun.build` into one module (the modules bun-socket loads
 *   on first use left out): the floor for this code as one module. An experiment, not a package: its lazily
 *   loaded modules would load a second copy of the core.
 */
import { spawnSync } from "bun";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const argv = process.argv.slice(2);
const runsAt = argv.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 30;
const BUN = process.execPath;

// Scratch files live under the project (its package.json decides how Bun loads them, as for src/).
mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const dir = mkdtempSync(join(ROOT, ".tmp", "startup-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const tiny = join(dir, "tiny.ts");
writeFileSync(tiny, "export const x: number = 1;\n");

// Modules bun-socket requires on first use (and the other OSes' bindings): left out of the bundle.
const LAZY =
  /\/(ssl|sendfile|makefile|resolve|idna|netdb|msg|darwin|win32)\.ts$|constants\/(darwin|win32)\.ts$/;
const built = await Bun.build({
  entrypoints: [join(ROOT, "src/index.ts")],
  target: "bun",
  outdir: join(dir, "bundle"),
  plugins: [
    {
      name: "leave-lazy-modules-out",
      setup(b) {
        b.onResolve({ filter: /\.ts$/ }, (a) => {
          const abs = resolve(dirname(a.importer), a.path);
          return LAZY.test(abs) ? { path: abs, external: true } : undefined;
        });
      },
    },
  ],
});
if (!built.success)
  throw new Error(`Bun.build failed: ${built.logs.join("\n")}`);
const bundle = built.outputs[0]!.path;

// The package entry as npm ci / npm pack build it (scripts/build.ts), rebuilt here into the scratch directory.
const distDir = join(dir, "dist");
const built2 = Bun.spawnSync(
  [BUN, join(ROOT, "scripts/build.ts"), "--out", distDir],
  { stdout: "ignore", stderr: "pipe" },
);
if (built2.exitCode !== 0)
  throw new Error(`scripts/build.ts failed: ${built2.stderr}`);
const dist = join(distDir, "index.js");

const oneSocket = (from: string): string =>
  `import * as s from ${JSON.stringify(from)}; s.socket(s.AF_INET, s.SOCK_STREAM).close();`;
const rows: { label: string; code: string }[] = [
  {
    label: "any file import (one-line .ts)",
    code: `import ${JSON.stringify(tiny)};`,
  },
  {
    label: "bun:ffi + dlopen(libc, 1 symbol)",
    code: `import { dlopen } from "bun:ffi"; dlopen("libc.so.6", { close: { args: ["i32"], returns: "i32" } });`,
  },
  { label: "bun-socket, package entry dist/ (bench E)", code: oneSocket(dist) },
  {
    label: "bun-socket, sources src/",
    code: oneSocket(join(ROOT, "src/index.ts")),
  },
  { label: "src/ graph as one bundled module", code: oneSocket(bundle) },
];

function wall(code: string): number {
  const t0 = Bun.nanoseconds();
  const r = spawnSync([BUN, "-e", code], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "pipe",
  });
  if (r.exitCode !== 0)
    throw new Error(`bun -e failed: ${r.stderr.toString().slice(0, 300)}`);
  return (Bun.nanoseconds() - t0) / 1e6;
}

for (let i = 0; i < 2; i++)
  for (const r of [{ code: "0" }, ...rows]) wall(r.code);
const deltas = rows.map(() => [] as number[]);
for (let i = 0; i < RUNS; i++) {
  const base = wall("0");
  rows.forEach((r, k) => deltas[k]!.push(wall(r.code) - base));
}
const med = (v: number[]): number =>
  [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(
  `start-up over an empty \`bun -e 0\`, median of ${RUNS} interleaved runs (ms):`,
);
rows.forEach((r, k) =>
  console.log(
    `  ${r.label.padEnd(36)} ${med(deltas[k]!).toFixed(1).padStart(6)}`,
  ),
);
