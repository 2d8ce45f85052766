/**
 * Builds `dist/`, what the package's exports map runs: the five public entries bundled with code splitting, so a
 * program loads a handful of modules instead of src/'s twenty-odd at import (bench E: ~0.3 ms per module).
 *
 *   bun scripts/build.ts [--out DIR]
 *
 * - Every module exists once: shared code goes to chunks that all entries import, so `OSError` from
 *   "bun-socket" and the one "bun-socket/select" throws are the same class.
 * - The modules bun-socket loads on first use (`require("./makefile.ts")` and the like: makefile, sendfile,
 *   name resolution, msg, the seed's ssl) stay lazy: each is an entry of its own at its src/ path, and the
 *   `require` is rewritten to that file. Chunks are written at the top of `dist/`, beside `index.js`, so those
 *   paths hold wherever the bundler puts the requiring code; the build checks it.
 * - Each OS binding (`ffi/linux.js`, `darwin.js`, `win32.js`, required by the core for the running OS only) is
 *   one self-contained file with its constant tables, written as JSON.
 * - Class names are the source's (error messages and reprs print them, as Python's do).
 * src/ stays the source of truth: tests run on it; `npm run build` (also run by `prepare`) makes dist/.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const SRC = join(ROOT, "src");
const outAt = process.argv.indexOf("--out");
const OUT = outAt >= 0 ? resolve(process.argv[outAt + 1]!) : join(ROOT, "dist");

const PUBLIC = ["index", "select", "selectors", "errno", "ssl"].map((n) =>
  join(SRC, `${n}.ts`),
);

/** Every source file under src/. */
const SOURCES = [
  ...new Bun.Glob("**/*.ts").scanSync({ cwd: SRC, absolute: true }),
];

// The lazily required modules: every `require("./x.ts")` of a relative path in src/.
const REQUIRE = /\brequire\(\s*"(\.{1,2}\/[^"]+\.ts)"\s*\)/g;
const lazy = new Set<string>();
for (const f of SOURCES)
  for (const m of readFileSync(f, "utf8")
    // comments can quote a require; only code counts
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")
    .matchAll(REQUIRE))
    lazy.add(resolve(dirname(f), m[1]!));

/** dist/'s path of a src/ module, relative to dist/ (`api/makefile.js`). */
const distPath = (abs: string): string =>
  relative(SRC, abs).replace(/\.ts$/, ".js");

// The core: what src/index.ts imports, but not the ~400 constants (they stay in index.js itself: every name
// re-exported from a chunk is one more import/export binding to set up).
const CORE = [
  "platform/selftest.ts",
  "api/errors.ts",
  "api/socket.ts",
  "api/files.ts",
  "api/functions.ts",
  "api/dns.ts",
  "api/convert.ts",
  "api/ssl-seed.ts",
].map((p) => join(SRC, p));
const CORE_IMPORTS = CORE.map((p) => `import ${JSON.stringify(p)};`).join("\n");
// The OS bindings (src/ffi/linux.ts, darwin.ts, win32.ts: required while the core evaluates, so they cannot
// import it) are built apart, each into one self-contained file with its constant tables.
const BINDINGS = [...lazy].filter((p) => dirname(p) === join(SRC, "ffi"));
const WITH_CORE = new Set(
  [...PUBLIC, ...lazy].filter((p) => !p.startsWith(join(SRC, "ffi") + "/")),
);

// Whitespace out (bench E: JavaScriptCore parses ~70 µs per KB of this code at import, and 83 KB of core became
// 68), names kept (error messages and reprs print them); linked source maps point stack traces at src/.
const MINIFY = { whitespace: true, syntax: true, identifiers: false };

rmSync(OUT, { recursive: true, force: true });
const result = await Bun.build({
  entrypoints: [...PUBLIC, ...lazy].filter((p) => !BINDINGS.includes(p)),
  root: SRC,
  outdir: OUT,
  target: "bun",
  format: "esm",
  splitting: true,
  minify: MINIFY,
  sourcemap: "linked",
  naming: { entry: "[dir]/[name].[ext]", chunk: "chunk-[hash].[ext]" },
  plugins: [
    {
      name: "lazy-require",
      setup(b) {
        // One core chunk: every entry but the OS bindings (required while the core evaluates) imports the core,
        // so the bundler does not cut it into a chunk per combination of entries (each module costs start-up).
        b.onLoad({ filter: /\.ts$/ }, (a) => {
          if (!WITH_CORE.has(a.path)) return undefined;
          const text = readFileSync(a.path, "utf8");
          return {
            contents: `${CORE_IMPORTS}\n${text}`,
            loader: "ts",
          };
        });
        b.onResolve({ filter: /\.ts$/ }, (a) => {
          if (a.kind !== "require-call") return undefined;
          const abs = resolve(dirname(a.importer), a.path);
          if (!lazy.has(abs)) return undefined;
          return { path: `./${distPath(abs)}`, external: true };
        });
      },
    },
  ],
});
if (!result.success) {
  for (const l of result.logs) console.error(l);
  throw new Error("build failed");
}

// One module per OS, not three (binding, constants, shared helpers): each module loaded costs start-up. The
// constant tables become JSON.parse() of their text: for ~700 names, JavaScriptCore parses JSON faster than it
// evaluates an object literal (bench E, ~0.5 ms).
const CONSTANTS = /\/ffi\/constants\/\w+\.ts$/;
const bindings = await Bun.build({
  entrypoints: BINDINGS,
  root: SRC,
  outdir: OUT,
  target: "bun",
  format: "esm",
  splitting: false,
  minify: MINIFY,
  sourcemap: "linked",
  naming: { entry: "[dir]/[name].[ext]" },
  plugins: [
    {
      name: "constants-as-json",
      setup(b) {
        b.onLoad({ filter: CONSTANTS }, async (a) => {
          const tables = (await import(a.path)) as Record<string, unknown>;
          const lines = Object.entries(tables).map(
            ([name, table]) =>
              `export const ${name} = JSON.parse(${JSON.stringify(JSON.stringify(table))});`,
          );
          return { contents: lines.join("\n"), loader: "js" };
        });
      },
    },
  ],
});
if (!bindings.success) {
  for (const l of bindings.logs) console.error(l);
  throw new Error("build of the OS bindings failed");
}
const outputs = [...result.outputs, ...bindings.outputs].filter(
  (o) => o.kind !== "sourcemap",
);

// The bundler renames what it re-exports across chunks (`class OSError2`, `function RAND_bytes2`), and Bun 1.4.5
// ignores `keepNames` without identifier minification. Each renamed class and function gets its source name back
// in the text: `OSError2` becomes `OSError ` (padded to the same length, so the source map's columns hold) and the
// file's export clause says `OSError as OSError2`, so other files import it as before. Where the source name is
// already taken in the file, or the renamed one also appears as a property, a key or in a string, the name is set
// at run time instead (`Object.defineProperty`, at the end of the file; ~15 µs each at import, bench E).
// tests/package/dist.test.ts compares every exported name with src/'s.
const DECL =
  /\b(?:class|function\*?) ([A-Za-z_$][\w$]*\d)\s*(?:extends\b|[{(])/g;
const srcNames = new Set(
  SOURCES.flatMap((f) =>
    [
      ...readFileSync(f, "utf8").matchAll(
        /\b(?:class|function\*?) ([A-Za-z_$][\w$]*)/g,
      ),
    ].map((m) => m[1]!),
  ),
);
/** The source name a bundler-renamed declaration had (`has_dualstack_ipv62` → `has_dualstack_ipv6`), if any. */
function sourceName(renamed: string): string | undefined {
  if (srcNames.has(renamed)) return undefined;
  for (let k = renamed.length - 1; k > 0 && /\d/.test(renamed[k]!); k--)
    if (srcNames.has(renamed.slice(0, k))) return renamed.slice(0, k);
  return undefined;
}

/** `x` for use inside a RegExp (identifiers: only `$` needs escaping). */
const esc = (x: string): string => x.replace(/\$/g, "\\$");

/** Gives the renamed declarations of one output file their source names; returns the text and the count. */
function restoreNames(
  text: string,
): [text: string, inText: number, atRun: number] {
  const renames = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const r of new Set([...text.matchAll(DECL)].map((m) => m[1]!))) {
    const n = sourceName(r);
    if (n !== undefined) byName.set(n, [...(byName.get(n) ?? []), r]);
  }
  // Where an identifier can be: outside strings and template literals, and not a property after one dot.
  const code = text.replace(
    /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g,
    '""',
  );
  const used = (n: string): boolean =>
    new RegExp(
      `(?<![\\w$.])${esc(n)}(?![\\w$])|\\.\\.\\.${esc(n)}(?![\\w$])`,
    ).test(code);
  const fixes: string[] = [];
  for (const [n, rs] of byName) {
    const r = rs[0]!;
    const w = esc(r);
    const clean =
      rs.length === 1 &&
      !used(n) &&
      !new RegExp(`[.'"\`]${w}(?![\\w$])|(?<![\\w$])${w}['"\`:]`).test(text);
    if (clean) renames.set(r, n);
    else
      for (const x of rs)
        fixes.push(
          `if (typeof ${x} === "function" && ${x}.name === "${x}") Object.defineProperty(${x}, "name", { value: "${n}", configurable: true });`,
        );
  }
  // One pass: export clauses keep the bundler's names for the files that import them (`OSError as OSError2`);
  // everywhere else the renamed identifier becomes its source name, padded to the same length.
  const clause = (list: string): string =>
    `export{${list
      .split(",")
      .map((spec) => spec.trim())
      .filter((spec) => spec !== "")
      .map((spec) => {
        const [local, , exported] = spec.split(/\s+/);
        const n = renames.get(local!);
        return n === undefined ? spec : `${n} as ${exported ?? local}`;
      })
      .join(",")}}`;
  let out =
    renames.size === 0
      ? text
      : text.replace(
          new RegExp(
            `\\bexport\\s*\\{([^}]*)\\}|(?<![\\w$])(?:${[...renames.keys()].map(esc).join("|")})(?![\\w$])`,
            "g",
          ),
          (m, list: string | undefined) =>
            list !== undefined
              ? clause(list)
              : renames.get(m)!.padEnd(m.length),
        );
  if (fixes.length)
    // Before the debug id and source map comments, which stay the last lines.
    out = out.replace(
      /(?:\n\/\/# [^\n]*)*\n*$/,
      (maps) => `\n// source names\n${fixes.join("\n")}\n${maps.trim()}\n`,
    );
  return [out, renames.size, fixes.length];
}
let namesInText = 0;
let namesAtRun = 0;
for (const o of outputs) {
  const [text, inText, atRun] = restoreNames(readFileSync(o.path, "utf8"));
  namesInText += inText;
  namesAtRun += atRun;
  writeFileSync(o.path, text);
}

// The rewritten requires are relative to dist/: only files at its top may contain them.
for (const o of outputs) {
  const rel = relative(OUT, o.path);
  if (!rel.includes("/")) continue;
  const text = readFileSync(o.path, "utf8");
  for (const abs of lazy)
    if (text.includes(`"./${distPath(abs)}"`))
      throw new Error(
        `${rel} requires ./${distPath(abs)}, a path relative to dist/ from a file below it`,
      );
}
const n = outputs.length;
console.error(
  `dist: ${n} files (${PUBLIC.length} public entries, ${lazy.size} loaded on first use); source names: ${namesInText} in the text, ${namesAtRun} set at run time`,
);
