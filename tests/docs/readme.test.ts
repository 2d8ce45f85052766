// The README's code is real: the "tour in twenty lines" block runs as it is (with its imports pointed at
// this checkout) and prints what the README's comments say, and every relative link of the README and of
// docs/porting-from-python.md names a file that exists.
import { afterAll, expect, test } from "bun:test";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "bs-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the tour in twenty lines runs and prints what its comments say", () => {
  const m = /<!-- tour:[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(README);
  expect(m).not.toBeNull();
  const code = m![1]!;
  expect(code.trimEnd().split("\n").length).toBeLessThanOrEqual(24);
  const file = join(dir, "tour.ts");
  writeFileSync(
    file,
    code
      .replace(
        /"bun-socket\/select"/,
        JSON.stringify(join(ROOT, "src/select.ts")),
      )
      .replace(/"bun-socket"/, JSON.stringify(join(ROOT, "src/index.ts"))),
  );
  const r = Bun.spawnSync({
    cmd: [process.execPath, file],
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
    killSignal: "SIGKILL",
  });
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
  expect(r.stdout.toString()).toBe(
    "server read HELO bun-socket from 127.0.0.1\n" +
      "1 readable: <Buffer ca fe>\n" +
      "as in Python: TimeoutError timed out\n",
  );
});

test("relative links in README.md and docs/porting-from-python.md point at files that exist", () => {
  const missing: string[] = [];
  for (const doc of ["README.md", "docs/porting-from-python.md"]) {
    const text = readFileSync(join(ROOT, doc), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // http:, https:, mailto:
      if (!existsSync(resolve(dirname(join(ROOT, doc)), target!)))
        missing.push(`${doc}: ${target}`);
    }
  }
  expect(missing).toEqual([]);
});

test("the README keeps the two commands exactly", () => {
  expect(README).toContain("npm install && npm run demo");
  expect(README).toContain("npm test ");
});
