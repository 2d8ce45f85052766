// makefile("rb").readline() over 1,000,000 short lines: bun-socket against Python's makefile, interleaved rounds.
// Usage: bun bench/makefile/run.ts [lines=1000000] [rounds=5]
const lines = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);
const here = import.meta.dir;
const server = Bun.spawn(["python3", `${here}/server.py`, String(lines)], {
  stdout: "pipe",
});
const reader = server.stdout.getReader();
let head = "";
while (!head.includes("\n"))
  head += new TextDecoder().decode((await reader.read()).value);
const port = head.split(" ")[1]!.trim();
const run = (cmd: string[]): { lines: number; secs: number } => {
  const r = Bun.spawnSync(cmd, { timeout: 120_000 });
  return JSON.parse(r.stdout.toString());
};
const ours: number[] = [];
const py: number[] = [];
for (let i = 0; i < rounds; i++) {
  const a = run([process.execPath, `${here}/client.ts`, port]);
  const b = run(["python3", `${here}/client.py`, port]);
  if (a.lines !== lines || b.lines !== lines)
    throw new Error(`line count: ours ${a.lines}, python ${b.lines}`);
  ours.push(a.secs);
  py.push(b.secs);
}
server.kill();
const med = (x: number[]) =>
  [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
console.log(
  JSON.stringify({
    lines,
    rounds,
    bunSocketSecs: med(ours),
    pythonSecs: med(py),
    bunSocketLinesPerSec: Math.round(lines / med(ours)),
    pythonLinesPerSec: Math.round(lines / med(py)),
    ratioTimeOursOverPython: +(med(ours) / med(py)).toFixed(3),
  }),
);
