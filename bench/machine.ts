/** Machine facts both bench reports print (bench/run.ts, bench/tls/run.ts): tool versions, CPU, commit. */
import { spawnSync } from "bun";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** The first line a command prints (stdout, then stderr), "not found" when it cannot run. */
export function firstLine(argv: string[]): string {
  try {
    const r = spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    const t = (r.stdout.toString() + r.stderr.toString()).trim();
    return t.split("\n")[0] ?? "?";
  } catch {
    return "not found";
  }
}

/** The CPU model (/proc/cpuinfo, else os.cpus()) and the number of logical CPUs. */
export function cpuDescription(): string {
  let cpu = cpus()[0]?.model ?? "?";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpu;
  } catch {
    // no /proc: os.cpus() it is
  }
  return `${cpu} (${cpus().length} logical CPUs)`;
}

/** The short commit of `root`, and whether `paths` had uncommitted changes when the bench ran. */
export function commitDescription(root: string, paths: string[]): string {
  const commit = firstLine(["git", "-C", root, "rev-parse", "--short", "HEAD"]);
  const dirty = firstLine([
    "git",
    "-C",
    root,
    "status",
    "--porcelain",
    "--",
    ...paths,
  ]);
  return dirty
    ? `${commit} (with uncommitted changes in ${paths.map((p) => `${p}/`).join(", ")})`
    : commit;
}
