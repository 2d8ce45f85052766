// The package as users get it: `npm pack`, then `bun add ./bun-socket-*.tgz` into a fresh project in a
// temporary directory, then a program there that imports every entry of the exports map ("bun-socket",
// "bun-socket/select", "bun-socket/selectors", "bun-socket/errno", "bun-socket/ssl") and does an echo round
// trip (running the built dist/, with the modules it loads on first use); the same program type-checks with tsc against the installed package's types (and a wrong use does
// not), and the installed `bsock` command runs. The package has no runtime dependencies, so this works
// offline.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { killAllPeers, startPeer } from "../helpers/peer.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BUN = process.execPath;
/** PATH for children: our Bun first (the `bsock` shebang is `#!/usr/bin/env bun`), and node_modules/.bin. */
const PATH = [
  dirname(BUN),
  join(ROOT, "node_modules/.bin"),
  process.env.PATH ?? "",
].join(delimiter);

let dir: string;
let tgz: string;
let files: string[];
let app: string;

interface Out {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function sh(
  cmd: string[],
  cwd: string,
  timeoutMs = 120_000,
  stdin?: string,
  env: Record<string, string> = {},
): Out {
  const r = Bun.spawnSync({
    cmd,
    cwd,
    env: { ...process.env, PATH, NO_COLOR: "1", ...env },
    stdin: stdin === undefined ? "ignore" : Buffer.from(stdin),
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  return {
    stdout: r.stdout.toString(),
    stderr: r.stderr.toString(),
    exitCode: r.exitCode,
  };
}

function ok(r: Out, what: string): Out {
  if (r.exitCode !== 0)
    throw new Error(
      `${what} failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`,
    );
  return r;
}

const MAIN = `
import * as socket from "bun-socket";
import * as select from "bun-socket/select";
import * as selectors from "bun-socket/selectors";
import * as errno from "bun-socket/errno";
import * as ssl from "bun-socket/ssl";

// An echo round trip on loopback: our own listener, client and server side in one thread.
using srv = socket.create_server(["127.0.0.1", 0]);
const port = (srv.getsockname() as socket.Inet4Address)[1];
using client = socket.create_connection(["127.0.0.1", port], 5);
const [conn] = srv.accept();
using server = conn;
server.settimeout(5);
client.sendall("ping through the installed package");

using sel = new selectors.DefaultSelector<string>();
sel.register(server, selectors.EVENT_READ, "server");
const ready = sel.select(5).map(([key]) => key.data);
server.sendall(server.recv(1024)); // echo

const [readable] = select.select([client], [], [], 5);
const back: string = client.recv(1024).toString();

let refused: number | null = null;
try {
  using c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  c.bind(["127.0.0.1", 0]);
  const dead = (c.getsockname() as socket.Inet4Address)[1];
  socket.create_connection(["127.0.0.1", dead], 5);
} catch (e) {
  if (e instanceof socket.ConnectionRefusedError) refused = e.errno;
}

// The built dist/ loads some modules on first use: each of those paths, and one copy of the core for every entry.
const [pa, pb] = socket.socketpair();
pa.settimeout(5);
pb.settimeout(5);
pa.sendall("a line\\n");
const file = pb.makefile("rb");
const line = file.readline().toString();
const isFile = file instanceof socket.BufferedSocketFile;
file.close();
pa.close();
pb.close();
let sameValueError = false;
try {
  select.select([-1], [], [], 0);
} catch (e) {
  sameValueError = e instanceof socket.ValueError;
}
const lazy = {
  line,
  isFile,
  hostname: typeof socket.gethostname() === "string",
  localhost: socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)[0]![4],
  cmsg: socket.CMSG_LEN(4) > 4,
  seedSsl: typeof socket.ssl === "function",
  sameValueError,
  entry: import.meta.resolve("bun-socket").split("/node_modules/bun-socket/")[1],
};

const ctx = ssl.create_default_context();
console.log(JSON.stringify({
  lazy,
  back,
  ready,
  readable: readable.length,
  refused: refused === errno.ECONNREFUSED,
  errorcode: errno.errorcode[errno.ECONNREFUSED],
  verify_required: ctx.verify_mode === ssl.CERT_REQUIRED,
  check_hostname: ctx.check_hostname,
  openssl: ssl.OPENSSL_VERSION.startsWith("OpenSSL"),
}));
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bs-pack-"));
  // npm pack: the files the package would publish, into the temp directory
  const packed = ok(
    sh(["npm", "pack", "--json", "--pack-destination", dir], ROOT),
    "npm pack",
  );
  const info = JSON.parse(packed.stdout) as {
    filename: string;
    files: { path: string }[];
  }[];
  tgz = join(dir, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path).sort();
  // a fresh project that installs it
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify(
      { name: "app", version: "1.0.0", private: true, type: "module" },
      null,
      2,
    ),
  );
  // Offline: the registry points at a closed port, so any download would fail the install.
  ok(
    sh([BUN, "add", tgz], app, 120_000, undefined, {
      BUN_CONFIG_REGISTRY: "http://127.0.0.1:9/",
      NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/",
      BUN_INSTALL_CACHE_DIR: join(dir, "bun-cache"),
    }),
    "bun add ./bun-socket-*.tgz",
  );
  writeFileSync(join(app, "main.ts"), MAIN);
}, 240_000);

afterAll(() => {
  killAllPeers();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm pack", () => {
  test("the tarball holds the built dist/, the sources, bin/bsock, README and package.json, and no tests", () => {
    expect(tgz).toMatch(/bun-socket-\d+\.\d+\.\d+\.tgz$/);
    for (const f of [
      "package.json",
      "README.md",
      "bin/bsock.ts",
      "src/index.ts",
      "src/select.ts",
      "src/selectors.ts",
      "src/errno.ts",
      "src/ssl.ts",
      "dist/index.js",
      "dist/select.js",
      "dist/selectors.js",
      "dist/errno.js",
      "dist/ssl.js",
      "dist/api/makefile.js",
      "dist/ffi/linux.js",
    ])
      expect(files).toContain(f);
    const unwanted = files.filter((f) =>
      /^(tests|bench|examples|scripts|research|docs\/api|node_modules|\.ci)\//.test(
        f,
      ),
    );
    expect(unwanted).toEqual([]);
    expect(files.filter((f) => f.endsWith(".test.ts"))).toEqual([]);
  });

  test("every file the exports map and bin name is in the tarball", () => {
    const pkg = JSON.parse(
      readFileSync(join(ROOT, "package.json"), "utf8"),
    ) as {
      exports: Record<string, Record<string, string>>;
      bin: Record<string, string>;
    };
    const targets = Object.values(pkg.exports)
      .flatMap((t) => Object.values(t))
      .concat(Object.values(pkg.bin))
      .map((p) => p.replace(/^\.\//, ""));
    for (const t of new Set(targets)) expect(files).toContain(t);
  });
});

describe("installed with bun add into a fresh project", () => {
  test("the package is in node_modules with its exports map", () => {
    const installed = join(app, "node_modules/bun-socket");
    expect(existsSync(join(installed, "package.json"))).toBeTrue();
    expect(existsSync(join(installed, "tests"))).toBeFalse();
    const deps = JSON.parse(
      readFileSync(join(app, "package.json"), "utf8"),
    ).dependencies;
    expect(Object.keys(deps)).toEqual(["bun-socket"]);
  });

  test("a program importing every export path runs the built dist/: an echo round trip, each module loaded on first use, one core for all entries", () => {
    const r = ok(sh([BUN, "main.ts"], app, 30_000), "bun main.ts");
    expect(JSON.parse(r.stdout)).toEqual({
      lazy: {
        line: "a line\n",
        isFile: true,
        hostname: true,
        localhost: ["127.0.0.1", 80],
        cmsg: true,
        seedSsl: true,
        sameValueError: true,
        entry: "dist/index.js",
      },
      back: "ping through the installed package",
      ready: ["server"],
      readable: 1,
      refused: true,
      errorcode: "ECONNREFUSED",
      verify_required: true,
      check_hostname: true,
      openssl: true,
    });
  });

  test("the program type-checks with tsc against the installed types; a wrong use is a type error", () => {
    // tsc from this repository; bun-types (and the @types/node it references) linked in from here too
    for (const dep of ["bun-types", "@types/node", "undici-types"]) {
      const from = join(ROOT, "node_modules", dep);
      const to = join(app, "node_modules", dep);
      if (existsSync(from) && !existsSync(to)) {
        mkdirSync(dirname(to), { recursive: true });
        symlinkSync(from, to, "dir");
      }
    }
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ESNext",
            module: "ESNext",
            moduleResolution: "bundler",
            lib: ["ESNext"],
            types: ["bun-types"],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            allowImportingTsExtensions: true,
          },
          files: ["main.ts"],
        },
        null,
        2,
      ),
    );
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    ok(sh([tsc, "-p", "tsconfig.json"], app, 120_000), "tsc -p app");
    // The types are real: misuse fails to compile.
    writeFileSync(
      join(app, "wrong.ts"),
      `import * as socket from "bun-socket";\nconst family: string = socket.AF_INET;\nsocket.create_connection("127.0.0.1:80");\nvoid family;\n`,
    );
    writeFileSync(
      join(app, "tsconfig.wrong.json"),
      JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }),
    );
    const wrong = sh([tsc, "-p", "tsconfig.wrong.json"], app, 120_000);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toContain("wrong.ts(2,7)"); // number is not assignable to string
    expect(wrong.stdout).toContain("wrong.ts(3,");
  });

  test("the bsock command is installed and runs: --help, and an echo through a Python server", async () => {
    const bsock = join(app, "node_modules/.bin/bsock");
    expect(existsSync(bsock)).toBeTrue();
    const help = sh([bsock, "--help"], app, 30_000);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toStartWith("usage: bsock");
    await using peer = await startPeer(["echo", "--once"], { life: 20 });
    // Async spawn: the Python peer must keep running while bsock talks to it.
    const proc = Bun.spawn({
      cmd: [bsock, "-w", "5", "connect", "127.0.0.1", String(peer.port)],
      cwd: app,
      env: { ...process.env, PATH },
      stdin: Buffer.from("echo via the installed bsock\n"),
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
      killSignal: "SIGKILL",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe("echo via the installed bsock\n");
  });
});
