// Smoke test of the benchmark suite: `bun bench/run.ts --quick --only A,E` runs to the end and writes
// its report. No timing is asserted: the numbers depend on the machine.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const out = mkdtempSync(join(tmpdir(), "bun-socket-bench-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test.skipIf(Bun.which("cc") === null)(
  "bench: --quick --only A,E exits 0 and writes the report and the chart",
  async () => {
    const proc = Bun.spawn(
      [
        process.execPath,
        "bench/run.ts",
        "--quick",
        "--only",
        "A,E",
        "--out",
        out,
      ],
      { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    // The bench bounds every child itself; this timer bounds the bench.
    const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
    const [code, stdout, stderr] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    clearTimeout(timer);
    if (code !== 0) console.error(stderr.slice(-4000));
    expect(code).toBe(0);
    expect(stdout).toContain("×C");

    const md = readFileSync(join(out, "latest.md"), "utf8");
    for (const heading of [
      "# bun-socket benchmarks",
      "## Machine",
      "## Targets",
      "## Ratio to C",
      "## A. TCP ping-pong, 64-byte messages (round trips/s)",
      "## E. Start-up",
    ])
      expect(md).toContain(heading);
    expect(md).not.toContain("## B.");
    // The A table: its header and its reference, bun-socket and timeout-mode rows.
    expect(md).toContain("| Client → Server |");
    expect(md).toContain("| C → C |");
    expect(md).toContain("| bun-socket → C |");
    expect(md).toContain("| bun-socket settimeout(5) → C |");
    expect(md).toContain("| C → bun-socket |");
    for (const k of ["CPU", "Kernel", "bun", "node", "python", "cc", "Date"])
      expect(md).toMatch(new RegExp(`^\\| ${k} \\| .+ \\|$`, "m"));

    const svg = readFileSync(join(out, "latest.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("</svg>");
    expect(existsSync(join(ROOT, "bench/build/pingpong"))).toBe(true);
  },
  130_000,
);
