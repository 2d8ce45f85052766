/**
 * Child process for fuzz.test.ts: a property-based fuzzer (fast-check) that calls public
 * functions and methods of `socket`, `select`, `selectors` and `ssl` with hostile arguments.
 *
 * Usage: bun tests/reliability/fuzz.child.ts [--calls N] [--seed S] [--only I]
 * Calls are generated in batches of {@link BATCH} from seed `S + b` (batch b); a failure is
 * reported as `{seed, index, path, args, error}` and replays with `--seed SEED --only INDEX`
 * (the batch's pool of sockets is rebuilt, then only that call runs).
 * Prints one JSON line: {calls, outcomes, failures: [...]}.
 *
 * Accepted outcomes: a return value, or a TypeError, a RangeError (ValueError, OverflowError and
 * MemoryError extend it), an OSError (incl. gaierror/herror/timeout/SSL errors), the KeyError or
 * RuntimeError of selectors, or the exact SENTINEL error thrown by a hostile object's
 * valueOf/toString/fileno/Symbol.toPrimitive (user code's own exception propagating unchanged,
 * as it does in CPython). Anything else (a plain Error, an empty message) is a failure; a crash
 * kills this process, which the parent sees as a signal or a non-zero exit.
 *
 * Nothing fuzzed may block: every live pool socket is in non-blocking mode (settimeout(0),
 * restored after each call), the default timeout is restored to null, listeners are drained
 * after every call, hosts are restricted to 127.0.0.1/::1/localhost or temp AF_UNIX paths, and
 * every timeout given to select/poll/selectors is 0 or a hostile non-waiting value. Functions
 * that take ownership of a descriptor number (socket(fileno=), close(fd)) only get numbers of
 * descriptors this script created for that call, or invalid ones.
 */
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import * as select from "../../src/select.ts";
import * as selectors from "../../src/selectors.ts";
import * as ssl from "../../src/ssl.ts";

const BATCH = 1000;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const TOTAL = Number(argValue("--calls") ?? 100_000);
const BASE_SEED = Number(argValue("--seed") ?? Date.now() % 1_000_000_007);
const ONLY = argValue("--only");

/** Thrown by hostile objects; propagating unchanged is the accepted outcome. */
class Sentinel extends Error {
  override name = "Sentinel";
}
const SENTINEL = new Sentinel("hostile user code threw");
const thrower = (): never => {
  throw SENTINEL;
};

const dir = mkdtempSync(join(tmpdir(), "bsfz-"));
const HUGE = Buffer.alloc(100 * 1024 * 1024); // 100 MB, allocated once

// ---- the pool of long-lived sockets the fuzzed methods run on -----------------------------

interface Pool {
  socks: socket.socket[];
  listeners: socket.socket[];
  ports: number[];
  unixPaths: string[];
}
let pool: Pool;
let poolNo = 0;
let sslCtx: ssl.SSLContextType;

function nb(s: socket.socket): socket.socket {
  s.settimeout(0);
  return s;
}

function buildPool(): Pool {
  const listeners: socket.socket[] = [];
  const l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  l4.bind(["127.0.0.1", 0]);
  l4.listen(128);
  listeners.push(nb(l4));
  const l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
  l6.bind(["::1", 0]);
  l6.listen(128);
  listeners.push(nb(l6));
  const lu = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  const upath = join(dir, `l${poolNo++}`);
  lu.bind(upath);
  lu.listen(128);
  listeners.push(nb(lu));
  // a connected TCP pair
  const c = socket.socket();
  c.settimeout(2);
  c.connect(["127.0.0.1", (l4.getsockname() as [string, number])[1]]);
  l4.settimeout(2);
  const [a] = l4.accept();
  l4.settimeout(0);
  const [u1, u2] = socket.socketpair();
  const [d1, d2] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  udp.bind(["127.0.0.1", 0]);
  const udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  const fresh = socket.socket();
  const closed = socket.socket();
  closed.close();
  const detached = socket.socket();
  socket.close(detached.detach());
  const socks = [c, a, u1, u2, d1, d2, udp, udp6, fresh, closed, detached];
  for (const s of socks) if (s.fileno() >= 0) nb(s);
  return {
    socks: [...socks, ...listeners],
    listeners,
    ports: [
      (l4.getsockname() as [string, number])[1],
      (l6.getsockname() as [string, number])[1],
      (udp.getsockname() as [string, number])[1],
    ],
    unixPaths: [upath],
  };
}

function destroyPool(p: Pool): void {
  for (const s of p.socks) {
    try {
      s.close();
    } catch {
      // EBADF of a damaged pool is reported by restore()
    }
  }
}

/** After every call: pool sockets back to non-blocking, listeners drained, default timeout null. */
function restore(): void {
  socket.setdefaulttimeout(null);
  for (const s of pool.socks) {
    // EBADF here would mean a fuzzed call closed a descriptor it did not own: fail loudly.
    if (s.fileno() >= 0) s.settimeout(0);
  }
  for (const l of pool.listeners) {
    if (l.fileno() < 0) continue;
    for (let i = 0; i < 64; i++) {
      try {
        l.accept()[0].close();
      } catch {
        break;
      }
    }
  }
}

// ---- hostile values: arbitraries of factories, materialized just before the call -------------

type Make = () => unknown;
const k =
  (v: unknown): Make =>
  () =>
    v;

const hostileObjects: Make[] = [
  () => ({ valueOf: thrower }),
  () => ({ toString: thrower }),
  () => ({ [Symbol.toPrimitive]: thrower }),
  () => ({ fileno: thrower }),
  () => ({ fileno: () => -1 }),
  () => ({ fileno: () => 2 ** 40 }),
  () => ({ fileno: () => "3" }),
  () => ({ fileno: 5 }),
  () => ({ valueOf: () => 80 }),
  () => ({ [Symbol.toPrimitive]: () => ({}) }),
  () => new Proxy({}, { get: thrower }),
  () => new Proxy([], { get: thrower }),
  () => Object.create(null),
  () => [],
  () => ({}),
  () => () => 1,
  () => Symbol("s"),
  () => new Date(NaN),
  () => /re/,
  () => new Map(),
  () => Promise.resolve(1),
  () => ({ length: 2 ** 53, 0: "127.0.0.1" }),
  () => ({
    get length() {
      return thrower();
    },
  }),
];

const numbers: Make[] = [
  0,
  -0,
  1,
  -1,
  2,
  7,
  255,
  256,
  1024,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  2 ** 64,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  0.5,
  1e-9,
  100 * 1024 * 1024,
  0n,
  1n,
  -1n,
  2n ** 64n,
  2n ** 31n,
].map(k);

const detachedBuffer = (): ArrayBuffer => {
  const ab = new ArrayBuffer(16);
  structuredClone(ab, { transfer: [ab] });
  return ab;
};
const buffers: Make[] = [
  () => Buffer.alloc(0),
  () => Buffer.alloc(16),
  () => new Uint8Array(1),
  () => new Uint16Array(3),
  () => new Float64Array(2),
  () => new DataView(new ArrayBuffer(8), 2, 3),
  () => new ArrayBuffer(8),
  () => new ArrayBuffer(0),
  detachedBuffer,
  () => new Uint8Array(detachedBuffer()),
  () => new SharedArrayBuffer(16),
  () => new Uint8Array(new SharedArrayBuffer(32)),
  () => new Uint8Array(new SharedArrayBuffer(32), 8, 8),
  () => HUGE.subarray(0, 70000),
  () => new Uint8Array(new ArrayBuffer(8, { maxByteLength: 64 })),
];

const nastyStrings: Make[] = [
  "",
  "\0",
  "a\0b",
  "127.0.0.1\0evil",
  "\ud800",
  "a\udfffb",
  "\uffff",
  "💥",
  "x".repeat(300),
  "x".repeat(70000),
  "127.0.0.1",
  "::1",
  "localhost",
  "0.0.0.0",
  "::",
  "256.1.1.1",
  "1.2.3",
  "::ffff:127.0.0.1",
  "fe80::1%lo",
  "fe80::1%\0",
  "%",
  "http",
  "80",
  "r",
  "rb",
  "w",
  "rwb",
  "utf-8",
  "no-such-codec",
].map(k);

/** Addresses of every shape; hosts only loopback, paths only under the temp dir. */
function addresses(): fc.Arbitrary<Make> {
  const host = fc.constantFrom<unknown>(
    "127.0.0.1",
    "::1",
    "localhost",
    "",
    "\0",
    "127.0.0.1\0x",
    "\ud800",
    "x".repeat(300),
    "1.2.3.4.5",
    null,
    undefined,
    1,
    NaN,
    {},
  );
  const port = fc.oneof(
    fc.integer({ min: -70000, max: 140000 }),
    fc.constantFrom<unknown>(
      ...[NaN, Infinity, -0, 2 ** 53, 1n, "80", null, undefined, 0.5],
    ),
    fc.integer({ min: 0, max: 2 }).map((i) => pool.ports[i]),
  );
  const path = fc.oneof(
    fc.integer({ min: 0, max: 1000 }).map((i) => join(dir, `p${i}`)),
    fc.constantFrom(
      join(dir, "x".repeat(200)),
      "/" + "y".repeat(120),
      "\0abstract-bsfz",
      "",
      join(dir, "a\0b"),
      join(dir, "\ud800"),
    ),
    fc.constant(0).map(() => pool.unixPaths[0]!),
    fc.constantFrom(
      Buffer.from(join(dir, "buf")),
      Buffer.alloc(200, 0x41),
      Buffer.alloc(0),
    ),
  );
  return fc.oneof(
    fc.tuple(host, port).map((t) => k(t)),
    fc.tuple(host, port, fc.integer(), fc.integer()).map((t) => k(t)),
    fc.tuple(host, port, fc.anything()).map((t) => k(t)),
    fc.tuple(host).map((t) => k(t)),
    fc.constant(k([])),
    path.map((p) => k(p)),
    host.map((h) => k(h)),
    port.map((p) => k(p)),
  );
}

/** Any hostile value (not a descriptor number meant to be owned). */
function values(): fc.Arbitrary<Make> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...numbers) },
    { weight: 2, arbitrary: fc.integer().map(k) },
    { weight: 1, arbitrary: fc.double().map(k) },
    { weight: 1, arbitrary: fc.bigInt().map(k) },
    { weight: 2, arbitrary: fc.constantFrom(...buffers) },
    { weight: 2, arbitrary: fc.constantFrom(...nastyStrings) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(k),
    },
    { weight: 2, arbitrary: fc.constantFrom(...hostileObjects) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(null, undefined, true, false).map(k),
    },
    { weight: 3, arbitrary: addresses() },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0, max: 1000 })
        .map((i) => () => pool.socks[i % pool.socks.length]),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.integer({ min: 0, max: 1000 }), { maxLength: 4 })
        .map((is) => () => is.map((i) => pool.socks[i % pool.socks.length])),
    },
  );
}

/** A descriptor number a function may take ownership of: an invalid number or a fresh fd. */
const ownedFd: fc.Arbitrary<Make> = fc.oneof(
  fc
    .constantFrom<unknown>(
      -1,
      -2,
      2 ** 31,
      2 ** 40,
      NaN,
      1.5,
      "3",
      null,
      -2n,
      2n ** 40n,
    )
    .map(k),
  // only the throwing hostile objects: one whose valueOf gives 80 could name a live descriptor
  fc.constantFrom(...hostileObjects.slice(0, 4)),
  fc.constant(() => socket.socket().detach()),
  fc.constant(() => socket.socket(socket.AF_INET, socket.SOCK_DGRAM).detach()),
);

/**
 * Timeouts that never wait for select.select and selectors (negative: ValueError or a poll),
 * or wrong types. Never null: that means "wait forever".
 */
const noWait: fc.Arbitrary<Make> = fc
  .constantFrom<unknown>(0, -0, -1, -Infinity, NaN, 2 ** 64, "1", {}, 0n, -1n)
  .map(k);
/** For poll.poll/epoll.poll, where a negative timeout means "wait forever". */
const noWaitPoll: fc.Arbitrary<Make> = fc
  .constantFrom<unknown>(0, -0, NaN, 2 ** 64, Infinity, "1", {}, 0n)
  .map(k);

// ---- the call table ------------------------------------------------------------------------

interface Call {
  path: string;
  target: () => unknown; // the receiver (materialized per call)
  fn: string;
  args: fc.Arbitrary<Make[]>;
}

const anyArgs = fc.array(values(), { maxLength: 5 });

/** Methods that would wait: their arguments are generated so they never do. */
const WAITING = new Set(["select", "poll"]);

function methodsOf(proto: object): string[] {
  const names = new Set<string>();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (n !== "constructor" && d && typeof d.value === "function")
        names.add(n);
    }
  return [...names];
}

function calls(): Call[] {
  const out: Call[] = [];
  const poolSock = fc.integer({ min: 0, max: 1000 });
  let sockIdx = 0;
  const sockMethods = methodsOf(socket.SocketObject.prototype);
  for (const m of sockMethods) {
    if (m.startsWith("_")) continue;
    out.push({
      path: `socket.${m}`,
      target: () => pool.socks[sockIdx % pool.socks.length],
      fn: m,
      args: fc
        .tuple(
          poolSock,
          fc.oneof(
            { weight: 9, arbitrary: anyArgs },
            // the 100 MB buffer, where a method takes data or a buffer to fill
            {
              weight: 1,
              arbitrary: fc
                .tuple(
                  fc.constant(k(HUGE)),
                  fc.array(values(), { maxLength: 2 }),
                )
                .map(([h, r]) => [h, ...r]),
            },
          ),
        )
        .map(([i, a]) => {
          return [
            () => {
              sockIdx = i;
              return undefined;
            },
            ...a,
          ];
        }),
    });
  }
  const skipFns = new Set([
    "socket",
    "SocketType",
    "SocketObject",
    "close",
    "fromfd",
    "create_connection",
    "getfqdn",
    "gethostbyaddr",
    "getnameinfo",
  ]);
  for (const [name, v] of Object.entries(socket)) {
    if (typeof v !== "function" || skipFns.has(name)) continue;
    if (/^[A-Z]/.test(name) || name.endsWith("Error") || name === "error")
      continue;
    if (name === "timeout" || name === "herror" || name === "gaierror")
      continue;
    out.push({
      path: `socket.${name}`,
      target: () => socket,
      fn: name,
      args: anyArgs,
    });
  }
  // constructors and descriptor-owning functions
  const ctorArgs = fc.tuple(values(), values(), values(), ownedFd);
  out.push({
    path: "socket.socket()",
    target: () => ({
      f: (...a: unknown[]) =>
        new (socket.socket as never as new (...x: unknown[]) => unknown)(...a),
    }),
    fn: "f",
    // never a 4th argument from values(): fileno=1 would hand stdout to the socket object
    args: fc.oneof(
      ctorArgs.map((t) => [...t]),
      fc.array(values(), { maxLength: 3 }),
    ),
  });
  out.push({
    path: "socket.close(fd)",
    target: () => socket,
    fn: "close",
    args: ownedFd.map((f) => [f]),
  });
  out.push({
    path: "socket.fromfd",
    target: () => socket,
    fn: "fromfd",
    args: fc
      .tuple(
        fc.oneof(
          ownedFd,
          fc
            .integer({ min: 0, max: 1000 })
            .map((i) => () => pool.socks[i % pool.socks.length]!.fileno()),
        ),
        values(),
        values(),
      )
      .map((t) => [...t]),
  });
  for (const name of ["create_connection", "getnameinfo", "gethostbyaddr"]) {
    out.push({
      path: `socket.${name}`,
      target: () => socket,
      fn: name,
      args: fc
        .tuple(addresses(), fc.oneof(noWait, values()))
        .map(([a, b]) =>
          name === "create_connection" ? [a, k(0.05)] : [a, b],
        ),
    });
  }
  // select module
  const fdList = fc
    .array(values(), { maxLength: 4 })
    .map((a) => () => a.map((m) => m()));
  out.push({
    path: "select.select",
    target: () => select,
    fn: "select",
    args: fc.tuple(fdList, fdList, fdList, noWait).map((t) => [...t]),
  });
  out.push({
    path: "select.poll()",
    target: () => {
      const p = select.poll();
      return {
        f: (a: unknown, b: unknown, c: unknown) => {
          p.register(a as never, b as never);
          p.modify(a as never, b as never);
          p.poll(c as never);
          p.unregister(a as never);
        },
      };
    },
    fn: "f",
    args: fc.tuple(values(), values(), noWaitPoll).map((t) => [...t]),
  });
  out.push({
    path: "select.epoll()",
    target: () => {
      const e = select.epoll(...([] as never[]));
      return {
        f: (a: unknown, b: unknown, c: unknown, d: unknown) => {
          try {
            e.register(a as never, b as never);
            e.modify(a as never, b as never);
            e.poll(c as never, d as never);
            e.unregister(a as never);
          } finally {
            e.close();
          }
        },
      };
    },
    fn: "f",
    args: fc.tuple(values(), values(), noWaitPoll, values()).map((t) => [...t]),
  });
  for (const cls of [
    "DefaultSelector",
    "SelectSelector",
    "PollSelector",
    "EpollSelector",
  ] as const) {
    out.push({
      path: `selectors.${cls}`,
      target: () => {
        const S = selectors[cls] as never as new () => selectors.BaseSelector;
        const sel = new S();
        return {
          f: (a: unknown, b: unknown, c: unknown, d: unknown) => {
            try {
              sel.register(a as never, b as never, c);
              sel.modify(a as never, b as never, c);
              sel.get_key(a as never);
              sel.select(d as never);
              sel.unregister(a as never);
            } finally {
              sel.close();
            }
          },
        };
      },
      fn: "f",
      args: fc.tuple(values(), values(), values(), noWait).map((t) => [...t]),
    });
  }
  // ssl: module functions and context methods (no handshakes: no socket is wrapped blocking)
  for (const name of [
    "DER_cert_to_PEM_cert",
    "PEM_cert_to_DER_cert",
    "cert_time_to_seconds",
    "RAND_bytes",
    "create_default_context",
  ]) {
    out.push({
      path: `ssl.${name}`,
      target: () => ssl,
      fn: name,
      args: anyArgs,
    });
  }
  // One bare context per batch (a context that accumulated CA certificates gets slow).
  for (const m of [
    "load_verify_locations",
    "load_cert_chain",
    "set_ciphers",
    "set_alpn_protocols",
    "wrap_socket",
  ]) {
    out.push({
      path: `ssl.SSLContext.${m}`,
      target: () => sslCtx,
      fn: m,
      args: anyArgs,
    });
  }
  return out;
}

// ---- running -------------------------------------------------------------------------------

interface Failure {
  seed: number;
  index: number;
  path: string;
  args: string;
  error: string;
}

function describe(v: unknown): string {
  try {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof socket.SocketObject) return `<socket fd=${v.fileno()}>`;
    if (ArrayBuffer.isView(v)) return `<${v.constructor.name} ${v.byteLength}>`;
    if (v instanceof ArrayBuffer)
      return `<ArrayBuffer ${v.byteLength}${v.detached ? " detached" : ""}>`;
    if (typeof v === "string")
      return JSON.stringify(
        v.length > 60 ? v.slice(0, 60) + `…(${v.length})` : v,
      );
    if (typeof v === "object" && v !== null && !Array.isArray(v))
      return `{${Object.keys(v).join(",")}}`;
    if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
    return String(v);
  } catch {
    return "<undescribable>";
  }
}

function acceptable(e: unknown): boolean {
  if (e === SENTINEL) return true;
  if (!(e instanceof Error)) return false;
  // ssl.create_default_context(purpose) raises TypeError(str(purpose)) exactly as CPython does,
  // so a purpose of "" gives an empty message there, and CPython's MemoryError has none either;
  // everywhere else a message is required.
  if (typeof e.message !== "string") return false;
  if (
    e.message.trim() === "" &&
    !(e instanceof socket.MemoryError) &&
    !String(e.stack).includes("create_default_context")
  )
    return false;
  return (
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof socket.OSError ||
    e instanceof selectors.KeyError ||
    // CPython's NotImplementedError (a RuntimeError), e.g. wrap_socket on a datagram socket
    e instanceof ssl.NotImplementedError ||
    e instanceof selectors.RuntimeError
  );
}

/** Closes sockets and files a successful call returned so nothing leaks or blocks later. */
function dispose(v: unknown, depth = 0): void {
  if (depth > 3 || v === null || typeof v !== "object") return;
  if (pool.socks.includes(v as socket.socket)) return;
  if (v instanceof socket.SocketObject) {
    v.close();
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) dispose(x, depth + 1);
    return;
  }
  const c = (v as { close?: unknown }).close;
  if (typeof c === "function" && !(v instanceof ssl.SSLContext)) {
    try {
      (c as () => void).call(v);
    } catch {
      // a file object over a closed socket may refuse: fine
    }
  }
}

const table = calls();
const callArb = fc
  .tuple(fc.integer({ min: 0, max: table.length - 1 }), fc.nat())
  .chain(([i]) => table[i]!.args.map((args) => ({ i, args })));

const failures: Failure[] = [];
/** TypeErrors raised by the JS engine itself (e.g. "x is not a function") rather than by our checks. */
// The JS engine's own wording (Python's "'int' object is not iterable" is ours, on purpose, and is excluded).
const ENGINE_MSG =
  /is not a function|undefined is not an object|null is not an object|Spread syntax|^(?!'\w+' object ).*is not iterable/;
let engineTypeErrors = 0;
let lastMessage = "";
let t0 = 0;
let slowest = { ms: 0, path: "" };
const TRACE = process.argv.includes("--trace");
const PROFILE = process.argv.includes("--profile");
const perPath: Record<string, number> = {};
const outcomes: Record<string, number> = {};
let done = 0;

const batches = ONLY !== undefined ? 1 : Math.ceil(TOTAL / BATCH);
for (let b = 0; b < batches; b++) {
  const seed = BASE_SEED + b;
  pool = buildPool();
  sslCtx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const sample = fc.sample(callArb, { seed, numRuns: BATCH });
  for (let idx = 0; idx < sample.length; idx++) {
    if (ONLY !== undefined && idx !== Number(ONLY)) continue;
    const { i, args } = sample[idx]!;
    const c = table[i]!;
    let vals: unknown[] = [];
    let outcome = "ok";
    try {
      vals = args.map((m) => m());
      const target = c.target() as Record<string, unknown>;
      if (c.path.startsWith("socket.") && target instanceof socket.SocketObject)
        vals = vals.slice(1); // the first slot only chose the pool socket
      // RAND_bytes(n) really allocates n bytes (as CPython's does): skip gigabyte requests.
      if (
        c.fn === "RAND_bytes" &&
        typeof vals[0] === "number" &&
        vals[0] > 1 << 20
      )
        vals[0] = 1 << 20;
      // sendfile(n) reads from descriptor n (our extension): a number here would be one of
      // Bun's own pipes, whose blocking read waits forever. Invalid numbers still reach it.
      if (
        c.fn === "sendfile" &&
        typeof vals[0] === "number" &&
        vals[0] >= 0 &&
        vals[0] < 2 ** 31
      )
        vals[0] = -1;
      // create_default_context() with a valid purpose loads the system CA store (~100 ms).
      if (c.fn === "create_default_context" && vals.length === 0) vals = [null];
      t0 = performance.now();
      if (TRACE)
        console.error(`call ${seed}:${idx} ${c.path} ${describe(vals)}`);

      const r = (target[c.fn] as (...a: unknown[]) => unknown).apply(
        target,
        vals,
      );
      dispose(r);
    } catch (e) {
      lastMessage = String((e as Error)?.message);
      outcome =
        e === SENTINEL
          ? "Sentinel"
          : ((e as Error)?.constructor?.name ?? typeof e);
      if (!acceptable(e)) {
        const f: Failure = {
          seed,
          index: idx,
          path: c.path,
          args: describe(vals),
          error:
            `${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? String(e)}\n${(e as Error)?.stack ?? ""}`.slice(
              0,
              2000,
            ),
        };
        failures.push(f);
        console.error(
          `FUZZ FAILURE (replay: --seed ${seed} --only ${idx}): ${JSON.stringify(f)}`,
        );
      }
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms)
      slowest = { ms, path: `${c.path} (--seed ${seed} --only ${idx})` };
    if (PROFILE) {
      perPath[c.path] = (perPath[c.path] ?? 0) + ms;
      if (ms > 50)
        console.error(`slow ${ms.toFixed(0)} ms: ${c.path} ${describe(vals)}`);
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome === "RangeError")
      console.error(
        `plain RangeError (replay: --seed ${seed} --only ${idx}): ${c.path}: ${lastMessage}`,
      );
    if (outcome === "TypeError" && ENGINE_MSG.test(lastMessage)) {
      engineTypeErrors++;
      console.error(
        `engine TypeError (replay: --seed ${seed} --only ${idx}): ${c.path}: ${lastMessage}`,
      );
    }
    done++;
    try {
      restore();
    } catch (e) {
      failures.push({
        seed,
        index: idx,
        path: `pool damaged after ${c.path}`,
        args: describe(vals),
        error: String((e as Error)?.stack ?? e),
      });
      destroyPool(pool);
      pool = buildPool();
    }
    if (failures.length >= 50) break;
  }
  destroyPool(pool);
  if (failures.length >= 50) break;
}
rmSync(dir, { recursive: true, force: true });
if (PROFILE)
  console.error(
    Object.entries(perPath)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([p, ms]) => `${p}: ${ms.toFixed(0)} ms`)
      .join("\n"),
  );
console.log(
  JSON.stringify({
    calls: done,
    seed: BASE_SEED,
    outcomes,
    engineTypeErrors,
    slowest,
    failures,
  }),
);
