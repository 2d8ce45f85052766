// The built package (scripts/build.ts → dist/) against the source it is built from: every entry of the exports
// map has the same exports, with the same values for constants and the same names for functions and classes (the
// bundler renames re-exported classes; the build gives them their names back), and the entries share one core
// (an error class from one entry is the class another throws). Builds into a temporary directory of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const ENTRIES = ["index", "select", "selectors", "errno", "ssl"] as const;
const OS_BINDINGS = ["linux", "darwin", "win32"] as const;
type Mod = Record<string, unknown>;

let out: string;
const src: Record<string, Mod> = {};
const dist: Record<string, Mod> = {};

beforeAll(async () => {
  // Under the project (its package.json makes the .js files ES modules, as in the package), in git-ignored .tmp/.
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  out = mkdtempSync(join(ROOT, ".tmp", "dist-test-"));
  const r = Bun.spawnSync({
    cmd: [process.execPath, join(ROOT, "scripts/build.ts"), "--out", out],
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  if (r.exitCode !== 0) throw new Error(`build failed: ${r.stderr}`);
  for (const e of ENTRIES) {
    src[e] = (await import(join(ROOT, "src", `${e}.ts`))) as Mod;
    dist[e] = (await import(join(out, `${e}.js`))) as Mod;
  }
}, 90_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe("dist/ against src/", () => {
  for (const e of ENTRIES)
    test(`${e}: the same exports, constants and function/class names`, () => {
      const s = src[e]!;
      const d = dist[e]!;
      expect(Object.keys(d).sort()).toEqual(Object.keys(s).sort());
      const differ: string[] = [];
      for (const k of Object.keys(s)) {
        const a = s[k];
        const b = d[k];
        if (typeof a !== typeof b)
          differ.push(`${k}: ${typeof a} vs ${typeof b}`);
        else if (typeof a === "function") {
          if (a.name !== (b as { name: string }).name)
            differ.push(
              `${k}: named ${a.name} vs ${(b as { name: string }).name}`,
            );
        } else if (typeof a !== "object" && a !== b)
          differ.push(`${k}: ${String(a)} vs ${String(b)}`);
      }
      expect(differ).toEqual([]);
    });

  test("every file of dist/ loads (the modules loaded on first use and the other OSes' bindings too)", async () => {
    const files = [...new Bun.Glob("**/*.js").scanSync({ cwd: out })];
    for (const f of files) await import(join(out, f));
    for (const f of [
      ...ENTRIES.map((e) => `${e}.js`),
      ...OS_BINDINGS.map((os) => `ffi/${os}.js`),
      "api/makefile.js",
      "api/ssl.js",
      "platform/resolve.js",
    ])
      expect(files).toContain(f);
  });

  // src/ffi/index.ts requires one module per OS: each is one file that imports nothing but bun:ffi, with the
  // OS's constant tables (as JSON) equal to src/'s.
  for (const os of OS_BINDINGS)
    test(`ffi/${os}.js: self-contained, with the same constant tables`, async () => {
      const text = await Bun.file(join(out, "ffi", `${os}.js`)).text();
      const imports = [
        ...text.matchAll(
          /(?:^|[;\n])\s*import\s*(?:[^;"]*?from\s*)?"([^"]+)"/g,
        ),
      ].map((m) => m[1]);
      expect(imports).toEqual(["bun:ffi"]);
      expect(text).not.toContain("require(");
      const s = (await import(join(ROOT, "src/ffi", `${os}.ts`))) as Mod;
      const d = (await import(join(out, "ffi", `${os}.js`))) as Mod;
      for (const t of ["socketConstants", "errnoConstants", "selectConstants"])
        expect(d[t]).toEqual(s[t]);
      expect(Object.keys(d).sort()).toEqual(Object.keys(s).sort());
    });

  test("one core for every entry: the classes re-exported by several entries are the same objects", () => {
    const i = dist.index!;
    expect(dist.select!.error).toBe(i.OSError);
    expect(dist.ssl!.socket_error).toBe(i.OSError);
    expect(dist.select!.FileNotFoundError).toBe(i.FileNotFoundError);
    let thrown: unknown;
    try {
      (dist.select!.select as (...a: unknown[]) => unknown)([-1], [], [], 0);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(i.ValueError as new () => Error);
  });
});
