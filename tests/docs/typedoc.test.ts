// `npm run docs` works: TypeDoc (with its own TypeScript 6, docs/typedoc/package.json) builds the API
// reference from the TSDoc of the five public modules without a warning (broken {@link}s and types that
// public signatures use but no module exports are errors: typedoc.json sets
// treatValidationWarningsAsErrors), here into a temporary directory instead of docs/api/.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const TYPEDOC = join(ROOT, "docs/typedoc/node_modules/typedoc/bin/typedoc");
const out = mkdtempSync(join(tmpdir(), "bs-typedoc-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

test("typedoc builds the API reference without warnings; modules are named after the exports map", () => {
  if (!existsSync(TYPEDOC))
    throw new Error(
      `${TYPEDOC} is missing: run npm install (it installs docs/typedoc, a devDependency)`,
    );
  if (Bun.which("node") === null)
    throw new Error(
      "node is not on the PATH: TypeDoc (npm run docs) runs on Node.js",
    );
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  expect(pkg.scripts.docs).toBe(
    "node docs/typedoc/node_modules/typedoc/bin/typedoc",
  );
  const r = Bun.spawnSync({
    cmd: ["node", TYPEDOC, "--out", out, "--logLevel", "Warn"],
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 170_000,
    killSignal: "SIGKILL",
  });
  const log = r.stdout.toString() + r.stderr.toString();
  expect(log).toBe("");
  expect(r.exitCode).toBe(0);
  for (const page of [
    "index.html",
    "modules/bun-socket.html",
    "modules/bun-socket_select.html",
    "modules/bun-socket_selectors.html",
    "modules/bun-socket_errno.html",
    "modules/bun-socket_ssl.html",
    "documents/porting-from-python.html",
    "functions/bun-socket.create_connection.html",
    "classes/bun-socket.SocketObject.html",
    "classes/bun-socket_ssl.SSLContextType.html",
  ])
    expect(existsSync(join(out, page))).toBeTrue();
  // A TSDoc comment made it through, with its link to Python's documentation.
  const cc = readFileSync(
    join(out, "functions/bun-socket.create_connection.html"),
    "utf8",
  );
  expect(cc).toContain(
    "https://docs.python.org/3/library/socket.html#socket.create_connection",
  );
}, 180_000);
