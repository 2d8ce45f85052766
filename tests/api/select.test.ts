// bun-socket/select on real loopback sockets, against CPython's select module on this machine:
// readiness after data, urgent data, peer close, reset, a full and a drained send buffer; timeouts
// in each call's unit; error classes and messages; descriptors above 1023; EINTR with the deadline
// held. Differential cases run the same sequence in python3 and compare the JSON.
import { dlopen } from "bun:ffi";
import { afterEach, describe, expect, test } from "bun:test";
import { plat } from "../../src/ffi/index.ts";
import * as socket from "../../src/index.ts";
import * as select from "../../src/select.ts";
import {
  killAllPeers,
  lastJson,
  python,
  pythonExe,
  runChild,
  startPeer,
} from "../helpers/peer.ts";

afterEach(killAllPeers);

const TIMEOUT = 5;
// Sockets a test still needs: an unreferenced socket is closed by the GC finalizer.
const keep: unknown[] = [];
afterEach(() => {
  for (const s of keep.splice(0))
    if (s instanceof socket.SocketObject) s.close();
});

/** A connected TCP pair of ours on 127.0.0.1, with timeouts: `[client, server side]`. */
function pair(): [socket.socket, socket.socket] {
  const l = socket.socket();
  l.settimeout(TIMEOUT);
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const c = socket.socket();
  c.settimeout(TIMEOUT);
  c.connect(l.getsockname() as [string, number]);
  const [s] = l.accept();
  s.settimeout(TIMEOUT);
  l.close();
  keep.push(c, s);
  return [c, s];
}

/** Seconds `fn` takes. */
function timed<T>(fn: () => T): [T, number] {
  const t0 = Bun.nanoseconds();
  const r = fn();
  return [r, (Bun.nanoseconds() - t0) / 1e9];
}

/** `{exc, msg, errno}` of what `fn` throws, as peer.py's oracle reports Python exceptions. */
function excOf(fn: () => unknown): {
  exc: string;
  msg: string;
  errno: number | null;
} | null {
  try {
    fn();
    return null;
  } catch (e) {
    const err = e as Error & { errno?: number | null };
    return { exc: err.name, msg: err.message, errno: err.errno ?? null };
  }
}

const LINGER_0 = new Uint8Array(new Int32Array([1, 0]).buffer);

// ---------------------------------------------------------------------------------------------
// The readiness sequence, once in Python and once in TypeScript.

const PY_PRELUDE = String.raw`
import json, select, socket, struct, time
def pair():
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = socket.create_connection(l.getsockname(), timeout=5); s, _ = l.accept(); l.close()
    s.settimeout(5)
    return c, s
def exc(e):
    return {"exc": type(e).__name__, "msg": str(e), "errno": getattr(e, "errno", None)}
`;

const PY_SEQUENCE = String.raw`
def snap(a):
    if API == "select":
        r, w, x = select.select([a], [a], [a], 0)
        return [len(r), len(w), len(x)]
    if API == "poll":
        p = select.poll()
        p.register(a, select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDHUP)
        return [ev for fd, ev in p.poll(0)]
    e = select.epoll()
    try:
        e.register(a, select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT | select.EPOLLRDHUP)
        return [ev for fd, ev in e.poll(0)]
    finally:
        e.close()
def wait_r(a): select.select([a], [], [], 2)
out = {}
a, b = pair()
out["fresh"] = snap(a)
b.sendall(b"x"); wait_r(a); out["data"] = snap(a)
a.recv(10); out["drained"] = snap(a)
c, d = pair(); d.send(b"!", socket.MSG_OOB); select.select([], [], [c], 2); out["urgent"] = snap(c)
b.close(); wait_r(a); out["peer_closed"] = snap(a)
a.shutdown(socket.SHUT_WR); out["both_closed"] = snap(a)
e, f = pair(); f.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); f.close()
wait_r(e); out["reset"] = snap(e)
g, h = pair(); g.setblocking(False)
try:
    while True: g.send(b"\0" * 65536)
except BlockingIOError: pass
out["full"] = snap(g)
h.setblocking(False)
for _ in range(400):
    try:
        while h.recv(1 << 20): pass
    except BlockingIOError: pass
    if select.select([], [g], [], 0.01)[1]: break
out["writable_again"] = snap(g)
ep = select.epoll() if API == "epoll" else None
z = socket.socket(); fd = z.fileno(); z.close()
try:
    if API == "select": out["closed_fd"] = select.select([fd], [], [], 0)
    elif API == "poll":
        p = select.poll(); p.register(fd); out["closed_fd"] = [ev for _, ev in p.poll(0)]
    else: ep.register(fd, select.EPOLLIN); out["closed_fd"] = "registered"
except OSError as ex: out["closed_fd"] = exc(ex)
print(json.dumps(out))
`;

type Api = "select" | "poll" | "epoll";

function snap(api: Api, a: socket.socket): number[] {
  if (api === "select") {
    const [r, w, x] = select.select([a], [a], [a], 0);
    return [r.length, w.length, x.length];
  }
  if (api === "poll") {
    const p = select.poll();
    p.register(
      a,
      select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDHUP,
    );
    return p.poll(0).map(([, ev]) => ev);
  }
  using e = select.epoll();
  e.register(
    a,
    select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT | select.EPOLLRDHUP,
  );
  return e.poll(0).map(([, ev]) => ev);
}

function oursSequence(api: Api): Record<string, unknown> {
  const waitR = (a: socket.socket): void => void select.select([a], [], [], 2);
  const out: Record<string, unknown> = {};
  const [a, b] = pair();
  out.fresh = snap(api, a);
  b.sendall("x");
  waitR(a);
  out.data = snap(api, a);
  a.recv(10);
  out.drained = snap(api, a);
  const [c, d] = pair();
  d.send("!", socket.MSG_OOB);
  select.select([], [], [c], 2);
  out.urgent = snap(api, c);
  b.close();
  waitR(a);
  out.peer_closed = snap(api, a);
  a.shutdown(socket.SHUT_WR);
  out.both_closed = snap(api, a);
  const [e, f] = pair();
  f.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0);
  f.close();
  waitR(e);
  out.reset = snap(api, e);
  const [g, h] = pair();
  g.setblocking(false);
  const chunk = Buffer.alloc(65536);
  try {
    for (;;) g.send(chunk);
  } catch (err) {
    if (!(err instanceof socket.BlockingIOError)) throw err;
  }
  out.full = snap(api, g);
  h.setblocking(false);
  for (let i = 0; i < 400; i++) {
    try {
      while (h.recv(1 << 20).length > 0);
    } catch (err) {
      if (!(err instanceof socket.BlockingIOError)) throw err;
    }
    if (select.select([], [g], [], 0.01)[1].length > 0) break;
  }
  out.writable_again = snap(api, g);
  using ep = api === "epoll" ? select.epoll() : null;
  const z = socket.socket();
  const fd = z.fileno();
  z.close();
  try {
    if (api === "select") out.closed_fd = select.select([fd], [], [], 0);
    else if (api === "poll") {
      const p = select.poll();
      p.register(fd);
      out.closed_fd = p.poll(0).map(([, ev]) => ev);
    } else {
      ep!.register(fd, select.EPOLLIN);
      out.closed_fd = "registered";
    }
  } catch (err) {
    out.closed_fd = excOf(() => {
      throw err;
    });
  }
  return out;
}

describe("readiness on real sockets, the same as CPython's for the same sequence", () => {
  for (const api of ["select", "poll", "epoll"] as const) {
    test(`${api}: after data, urgent data, peer close, both sides shut, reset, full and drained send buffer, closed fd`, () => {
      const theirs = python<Record<string, unknown>>(
        `API = "${api}"\n${PY_PRELUDE}\n${PY_SEQUENCE}`,
      );
      const ours = oursSequence(api);
      expect(ours).toEqual(theirs);
      // The facts the sequence is about, spelled out for this API.
      if (api === "select") {
        expect(ours.fresh).toEqual([0, 1, 0]); // writable only
        expect(ours.data).toEqual([1, 1, 0]);
        expect(ours.urgent).toEqual([0, 1, 1]); // MSG_OOB: the exceptional condition, not readable data
        expect(ours.full).toEqual([0, 0, 0]);
        expect(ours.writable_again).toEqual([0, 1, 0]);
        expect(ours.closed_fd).toEqual({
          exc: "OSError",
          msg: "[Errno 9] Bad file descriptor",
          errno: 9,
        });
      } else if (api === "poll") {
        expect(ours.closed_fd).toEqual([select.POLLNVAL]);
      } else {
        expect(ours.closed_fd).toMatchObject({ exc: "OSError", errno: 9 });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe("select.select()", () => {
  test("returns the very objects passed in, in order, duplicates kept; ints and fileno() objects mix", () => {
    const [a, b] = pair();
    b.sendall("x");
    select.select([a], [], [], 2);
    const wrapper = { fileno: () => a.fileno() };
    const [r, w, x] = select.select(
      [a, b, a, a.fileno(), wrapper],
      [b],
      [a],
      0,
    );
    expect(r.length).toBe(4);
    expect(r[0]).toBe(a);
    expect(r[1]).toBe(a);
    expect(r[2]).toBe(a.fileno());
    expect(r[3]).toBe(wrapper);
    expect(w).toEqual([b]);
    expect(w[0]).toBe(b);
    expect(x).toEqual([]);
    // CPython gives the same shape for the same call.
    const py = python<unknown[]>(
      `${PY_PRELUDE}
a, b = pair(); b.sendall(b"x"); select.select([a], [], [], 2)
class W:
    def fileno(self): return a.fileno()
r, w, x = select.select([a, b, a, a.fileno(), W()], [b], [a], 0)
print(json.dumps([len(r), len(w), len(x), r[0] is a, r[2] == a.fileno()]))`,
    );
    expect(py).toEqual([4, 1, 0, true, true]);
  });

  test("any iterable works for the lists (a Set, as SelectSelector passes)", () => {
    const [a] = pair();
    const [r, w] = select.select(new Set<number>(), new Set([a.fileno()]), []);
    expect(r).toEqual([]);
    expect(w).toEqual([a.fileno()]);
  });

  test("empty lists and a timeout: sleeps for the timeout, in seconds", () => {
    const [r, t] = timed(() => select.select([], [], [], 0.05));
    expect(r).toEqual([[], [], []]);
    expect(t).toBeGreaterThanOrEqual(0.05);
    expect(t).toBeLessThan(0.5);
  });

  test("timeout 0 polls: nothing ready on an idle socket, returns at once", () => {
    const [a] = pair();
    const [r, t] = timed(() => select.select([a], [], [a], 0));
    expect(r).toEqual([[], [], []]);
    expect(t).toBeLessThan(0.05);
  });

  test("a timeout on an idle socket returns empty lists after that many seconds", () => {
    const [a] = pair();
    const [r, t] = timed(() => select.select([a], [], [], 0.1));
    expect(r).toEqual([[], [], []]);
    expect(t).toBeGreaterThanOrEqual(0.1);
    expect(t).toBeLessThan(0.6);
  });

  test("null and omitted timeouts block until a Python peer sends (300 ms later)", async () => {
    for (const tmo of [null, undefined] as const) {
      const peer = await startPeer([
        "send-then-close",
        "--data",
        "6869",
        "--delay-ms",
        "300",
      ]);
      const c = socket.socket();
      c.settimeout(TIMEOUT);
      c.connect(["127.0.0.1", peer.port]);
      keep.push(c);
      const [r, t] = timed(() =>
        tmo === null
          ? select.select([c], [], [], null)
          : select.select([c], [], []),
      );
      expect(r[0]).toEqual([c]);
      expect(t).toBeGreaterThan(0.15);
      expect(c.recv(10).toString()).toBe("hi");
    }
  });

  test("a closed socket object (fileno -1) raises ValueError, as CPython", () => {
    const [a] = pair();
    a.close();
    expect(excOf(() => select.select([a], [], [], 0))).toEqual({
      exc: "ValueError",
      msg: "file descriptor cannot be a negative integer (-1)",
      errno: null,
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("poll objects", () => {
  test("register's default mask is POLLIN|POLLPRI|POLLOUT; results follow registration order; re-registering keeps the place", () => {
    const [a, b] = pair();
    const p = select.poll();
    p.register(a);
    p.register(b, select.POLLIN);
    expect(p.poll(0)).toEqual([[a.fileno(), select.POLLOUT]]);
    b.sendall("x");
    a.sendall("y");
    select.select([a], [], [], 2);
    select.select([b], [], [], 2);
    expect(p.poll(0)).toEqual([
      [a.fileno(), select.POLLIN | select.POLLOUT],
      [b.fileno(), select.POLLIN],
    ]);
    p.register(a, select.POLLIN); // changes the mask, keeps the position
    expect(p.poll(0)).toEqual([
      [a.fileno(), select.POLLIN],
      [b.fileno(), select.POLLIN],
    ]);
    p.modify(b, select.POLLOUT);
    expect(p.poll(0)).toEqual([
      [a.fileno(), select.POLLIN],
      [b.fileno(), select.POLLOUT],
    ]);
    p.unregister(a);
    expect(p.poll(0)).toEqual([[b.fileno(), select.POLLOUT]]);
    p.unregister(b.fileno());
    expect(p.poll(0)).toEqual([]);
  });

  test("timeouts are milliseconds: poll(50) waits 50 ms, poll(0.1) rounds up to 1 ms, poll(0) does not wait", () => {
    const [a] = pair();
    const p = select.poll();
    p.register(a, select.POLLIN);
    const [r1, t1] = timed(() => p.poll(50));
    expect(r1).toEqual([]);
    expect(t1).toBeGreaterThanOrEqual(0.05);
    expect(t1).toBeLessThan(0.5);
    const [r2, t2] = timed(() => p.poll(0.1));
    expect(r2).toEqual([]);
    expect(t2).toBeGreaterThanOrEqual(0.0009);
    expect(t2).toBeLessThan(0.2);
    const [, t3] = timed(() => p.poll(0));
    expect(t3).toBeLessThan(0.05);
  });

  test("null, omitted and negative timeouts block until a Python peer sends", async () => {
    for (const tmo of [undefined, null, -1, -0.5]) {
      const peer = await startPeer([
        "send-then-close",
        "--data",
        "6869",
        "--delay-ms",
        "300",
      ]);
      const c = socket.socket();
      c.settimeout(TIMEOUT);
      c.connect(["127.0.0.1", peer.port]);
      keep.push(c);
      const p = select.poll();
      p.register(c, select.POLLIN);
      const [r, t] = timed(() => (tmo === undefined ? p.poll() : p.poll(tmo)));
      expect(r).toEqual([[c.fileno(), select.POLLIN]]);
      expect(t).toBeGreaterThan(0.15);
    }
  });

  test("a registered descriptor that is closed is reported with POLLNVAL (no exception), as CPython", () => {
    const z = socket.socket();
    const fd = z.fileno();
    z.close();
    const p = select.poll();
    p.register(fd, select.POLLIN);
    expect(p.poll(0)).toEqual([[fd, select.POLLNVAL]]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("epoll objects", () => {
  test("poll(maxevents=2**31-1) is MemoryError, as CPython's, not the engine's RangeError (fuzzer-found)", () => {
    using ep = select.epoll();
    let err: unknown;
    try {
      ep.poll(0, 2 ** 31 - 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.MemoryError);
    expect(ep.poll(0, 4)).toEqual([]); // still usable
  });

  test("the exported constructor takes (sizehint, flags) only: a third argument never adopts a descriptor", () => {
    const Ctor = select.EpollObject as unknown as new (
      ...a: unknown[]
    ) => InstanceType<typeof select.EpollObject>;
    using ep = new Ctor(-1, 0, 0);
    expect(ep.fileno()).toBeGreaterThan(2);
    using adopted = select.EpollObject.fromfd(plat.sys.dupSocket(ep.fileno()));
    expect(adopted.fileno()).toBeGreaterThan(ep.fileno());
    expect(adopted.poll(0)).toEqual([]);
  });

  test("timeouts are seconds, rounded up to whole ms: poll(0.05) waits 50 ms, poll(0.0301) at least 31 ms", () => {
    const [a] = pair();
    using ep = select.epoll();
    ep.register(a, select.EPOLLIN);
    const [r1, t1] = timed(() => ep.poll(0.05));
    expect(r1).toEqual([]);
    expect(t1).toBeGreaterThanOrEqual(0.05);
    expect(t1).toBeLessThan(0.5);
    const [, t2] = timed(() => ep.poll(0.0301));
    expect(t2).toBeGreaterThanOrEqual(0.031);
    const [, t3] = timed(() => ep.poll(0));
    expect(t3).toBeLessThan(0.05);
    // CPython: a tiny negative timeout rounds (ceiling) to 0 ms, so it does not block either.
    const [, t4] = timed(() => ep.poll(-1e-7));
    expect(t4).toBeLessThan(0.05);
  });

  test("null, omitted and negative timeouts block until a Python peer sends", async () => {
    for (const tmo of [undefined, null, -1]) {
      const peer = await startPeer([
        "send-then-close",
        "--data",
        "6869",
        "--delay-ms",
        "300",
      ]);
      const c = socket.socket();
      c.settimeout(TIMEOUT);
      c.connect(["127.0.0.1", peer.port]);
      keep.push(c);
      using ep = select.epoll();
      ep.register(c, select.EPOLLIN);
      const [r, t] = timed(() =>
        tmo === undefined ? ep.poll() : ep.poll(tmo),
      );
      expect(r).toEqual([[c.fileno(), select.EPOLLIN]]);
      expect(t).toBeGreaterThan(0.15);
    }
  });

  test("close, closed, fileno, fromfd and using; the descriptor is close-on-exec", () => {
    const ep = select.epoll();
    expect(ep).toBeInstanceOf(select.epoll);
    expect(ep.closed).toBe(false);
    const fd = ep.fileno();
    expect(plat.sys.getCloexec(fd)).toBe(1);
    const other = select.epoll.fromfd(plat.sys.dupSocket(fd));
    expect(other.fileno()).not.toBe(fd);
    other.close();
    ep.close();
    ep.close(); // idempotent
    expect(ep.closed).toBe(true);
    let inner: select.epoll;
    {
      using e2 = new select.epoll();
      inner = e2;
      expect(e2.closed).toBe(false);
    }
    expect(inner.closed).toBe(true);
  });

  test("maxevents caps the events returned; EPOLLET reports a change once; EPOLLONESHOT disarms", () => {
    const pairs = [pair(), pair(), pair()];
    using ep = select.epoll();
    for (const [a, b] of pairs) {
      ep.register(a, select.EPOLLIN);
      b.sendall("x");
      select.select([a], [], [], 2);
    }
    expect(ep.poll(0).length).toBe(3);
    expect(ep.poll(0, 2).length).toBe(2);
    expect(ep.poll(0, 1).length).toBe(1);

    const [a, b] = pair();
    using et = select.epoll();
    et.register(a, select.EPOLLIN | select.EPOLLET);
    b.sendall("1");
    expect(et.poll(2)).toEqual([[a.fileno(), select.EPOLLIN]]);
    expect(et.poll(0)).toEqual([]); // edge-triggered: no new edge, unread data notwithstanding
    b.sendall("2");
    expect(et.poll(2)).toEqual([[a.fileno(), select.EPOLLIN]]);

    const [c, d] = pair();
    using os1 = select.epoll();
    os1.register(c, select.EPOLLIN | select.EPOLLONESHOT);
    d.sendall("x");
    expect(os1.poll(2)).toEqual([[c.fileno(), select.EPOLLIN]]);
    expect(os1.poll(0)).toEqual([]);
    os1.modify(c, select.EPOLLIN | select.EPOLLONESHOT); // re-arm
    expect(os1.poll(0)).toEqual([[c.fileno(), select.EPOLLIN]]);
  });

  test("a registered socket that is closed leaves the set by itself; unregistering it then gives EBADF", () => {
    const [a, b] = pair();
    using ep = select.epoll();
    ep.register(a);
    ep.register(b, select.EPOLLIN);
    const fd = a.fileno();
    a.close();
    const evs = ep.poll(0.5);
    expect(evs.map(([f]) => f)).not.toContain(fd);
    expect(excOf(() => ep.unregister(fd))).toMatchObject({
      exc: "OSError",
      errno: plat.errnos.EBADF,
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("argument errors: the same classes and messages as CPython", () => {
  // name -> [python snippet raising, our call]; every snippet runs after `a, b = pair()`.
  const cases: Record<string, [string, (a: socket.socket) => unknown]> = {
    "select negative fd": [
      "select.select([-1], [], [], 0)",
      () => select.select([-1], [], [], 0),
    ],
    "select float fd": [
      "select.select([1.5], [], [], 0)",
      () => select.select([1.5], [], [], 0),
    ],
    "select str item": [
      'select.select(["x"], [], [], 0)',
      () => select.select(["x"], [], [], 0),
    ],
    "select not a sequence": [
      "select.select(3, [], [])",
      () => select.select(3 as never, [], []),
    ],
    "select negative timeout": [
      "select.select([], [], [], -1)",
      () => select.select([], [], [], -1),
    ],
    "select tiny negative timeout": [
      "select.select([], [], [], -1e-10)",
      () => select.select([], [], [], -1e-10),
    ],
    "select str timeout": [
      'select.select([], [], [], "1")',
      () => select.select([], [], [], "1" as never),
    ],
    "select NaN timeout": [
      'select.select([], [], [], float("nan"))',
      () => select.select([], [], [], NaN),
    ],
    "select inf timeout": [
      'select.select([], [], [], float("inf"))',
      () => select.select([], [], [], Infinity),
    ],
    "select fd too large for int": [
      "select.select([2**31], [], [], 0)",
      () => select.select([2 ** 31], [], [], 0),
    ],
    "select fileno() returns str": [
      'select.select([type("F", (), {"fileno": lambda s: "x"})()], [], [], 0)',
      () => select.select([{ fileno: () => "x" }], [], [], 0),
    ],
    "select fileno() negative": [
      'select.select([type("F", (), {"fileno": lambda s: -5})()], [], [], 0)',
      () => select.select([{ fileno: () => -5 }], [], [], 0),
    ],
    "poll unregister unknown": [
      "select.poll().unregister(99)",
      () => select.poll().unregister(99),
    ],
    "poll modify unknown": [
      "select.poll().modify(99, 1)",
      () => select.poll().modify(99, 1),
    ],
    "poll register negative mask": [
      "select.poll().register(a, -1)",
      (a) => select.poll().register(a, -1),
    ],
    "poll register mask too big": [
      "select.poll().register(a, 70000)",
      (a) => select.poll().register(a, 70000),
    ],
    "poll register str mask": [
      'select.poll().register(a, "x")',
      (a) => select.poll().register(a, "x" as never),
    ],
    "poll register negative fd": [
      "select.poll().register(-3)",
      () => select.poll().register(-3),
    ],
    "poll str timeout": [
      'select.poll().poll("x")',
      () => select.poll().poll("x" as never),
    ],
    "poll timeout too large": [
      "select.poll().poll(2**40)",
      () => select.poll().poll(2 ** 40),
    ],
    "poll NaN timeout": [
      'select.poll().poll(float("nan"))',
      () => select.poll().poll(NaN),
    ],
    "epoll sizehint 0": ["select.epoll(0)", () => select.epoll(0)],
    "epoll sizehint -2": ["select.epoll(-2)", () => select.epoll(-2)],
    "epoll bad flags": ["select.epoll(5, 1)", () => select.epoll(5, 1)],
    "epoll duplicate register": [
      "e = select.epoll(); e.register(a); e.register(a)",
      (a) => {
        using e = select.epoll();
        e.register(a);
        e.register(a);
      },
    ],
    "epoll modify unknown": [
      "select.epoll().modify(a, 1)",
      (a) => {
        using e = select.epoll();
        e.modify(a, 1);
      },
    ],
    "epoll unregister unknown": [
      "select.epoll().unregister(a)",
      (a) => {
        using e = select.epoll();
        e.unregister(a);
      },
    ],
    "epoll maxevents 0": [
      "select.epoll().poll(0, 0)",
      () => {
        using e = select.epoll();
        e.poll(0, 0);
      },
    ],
    "epoll maxevents -2": [
      "select.epoll().poll(0, -2)",
      () => {
        using e = select.epoll();
        e.poll(0, -2);
      },
    ],
    "epoll str timeout": [
      'select.epoll().poll("x")',
      () => {
        using e = select.epoll();
        e.poll("x" as never);
      },
    ],
    "epoll timeout too large": [
      "select.epoll().poll(3e6)",
      () => {
        using e = select.epoll();
        e.poll(3e6);
      },
    ],
    "epoll str mask": [
      'select.epoll().register(a, "x")',
      (a) => {
        using e = select.epoll();
        e.register(a, "x" as never);
      },
    ],
    "closed epoll fileno": [
      "e = select.epoll(); e.close(); e.fileno()",
      () => {
        const e = select.epoll();
        e.close();
        e.fileno();
      },
    ],
    "closed epoll poll": [
      "e = select.epoll(); e.close(); e.poll(0)",
      () => {
        const e = select.epoll();
        e.close();
        e.poll(0);
      },
    ],
    "closed epoll register": [
      "e = select.epoll(); e.close(); e.register(a)",
      (a) => {
        const e = select.epoll();
        e.close();
        e.register(a);
      },
    ],
  };

  test("every case raises what Python 3 raises", () => {
    const names = Object.keys(cases);
    const py = python<Record<string, unknown>>(
      `${PY_PRELUDE}
a, b = pair()
cases = ${JSON.stringify(names.map((n) => [n, cases[n]![0]]))}
out = {}
for name, code in cases:
    try:
        exec(code)
        out[name] = None
    except Exception as e:
        out[name] = exc(e)
print(json.dumps(out))`,
    );
    const [a] = pair();
    const ours: Record<string, unknown> = {};
    for (const n of names) ours[n] = excOf(() => cases[n]![1](a));
    for (const n of names) expect([n, ours[n]]).toEqual([n, py[n]]);
  });

  test("select.error is OSError; a KeyError's message is the repr of its key", () => {
    expect(select.error).toBe(socket.OSError);
    const e = excOf(() => select.poll().unregister(7));
    expect(e).toEqual({ exc: "KeyError", msg: "7", errno: null });
  });
});

// ---------------------------------------------------------------------------------------------

describe("descriptors above 1023 (FD_SETSIZE)", () => {
  // F_DUPFD_CLOEXEC with a minimum descriptor number, through libc directly (a test-only helper).
  const libc = dlopen("libc.so.6", {
    fcntl: { args: ["i32", "i32", "i64"], returns: "i32" },
    getrlimit: { args: ["i32", "ptr"], returns: "i32" },
    setrlimit: { args: ["i32", "ptr"], returns: "i32" },
  }).symbols;
  const F_DUPFD_CLOEXEC = 1030;
  const RLIMIT_NOFILE = 7;

  /** Makes sure descriptor 1500 can exist (raising the soft RLIMIT_NOFILE up to the hard limit). */
  function allowFd(n: number): boolean {
    const lim = new BigUint64Array(new ArrayBuffer(16));
    if (libc.getrlimit(RLIMIT_NOFILE, lim) !== 0) return false;
    if (lim[0]! > BigInt(n)) return true;
    if (lim[1]! <= BigInt(n)) return false;
    lim[0] = BigInt(n + 64);
    return libc.setrlimit(RLIMIT_NOFILE, lim) === 0;
  }

  /** Our socket `s` moved to a descriptor >= `min` (dup then close the original). */
  function highSocket(s: socket.socket, min: number): socket.socket {
    const fd = libc.fcntl(s.fileno(), F_DUPFD_CLOEXEC, min);
    if (fd < 0) throw new Error(`fcntl(F_DUPFD_CLOEXEC, ${min}) failed`);
    const high = socket.socket(null, null, null, fd);
    high.settimeout(TIMEOUT);
    s.close();
    keep.push(high);
    return high;
  }

  test.skipIf(!allowFd(1600))(
    "select, poll and epoll work on a socket at fd 1500 (CPython's select() refuses it; poll/epoll accept it)",
    () => {
      const [a0, b] = pair();
      const a = highSocket(a0, 1500);
      expect(a.fileno()).toBeGreaterThanOrEqual(1500);
      expect(select.select([a], [a], [], 0)).toEqual([[], [a], []]);
      b.sendall("over 1023");
      const [r] = select.select([a], [], [], 2);
      expect(r).toEqual([a]);
      const p = select.poll();
      p.register(a, select.POLLIN);
      expect(p.poll(0)).toEqual([[a.fileno(), select.POLLIN]]);
      using ep = select.epoll();
      ep.register(a, select.EPOLLIN);
      expect(ep.poll(0)).toEqual([[a.fileno(), select.EPOLLIN]]);
      expect(a.recv(100).toString()).toBe("over 1023");
      // What CPython does with the same descriptor number: select() refuses (our documented
      // difference), poll() and epoll work.
      const py = python<Record<string, unknown>>(
        `${PY_PRELUDE}
import os, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft <= 1600: resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 1664), hard))
a, b = pair(); os.dup2(a.fileno(), 1500); a.close(); a = socket.socket(fileno=1500)
b.sendall(b"x"); out = {}
try: out["select"] = len(select.select([a], [], [], 2)[0])
except Exception as e: out["select"] = exc(e)
p = select.poll(); p.register(a, select.POLLIN); out["poll"] = p.poll(0)
e = select.epoll(); e.register(a, select.EPOLLIN); out["epoll"] = e.poll(0)
print(json.dumps(out))`,
      );
      expect(py.select).toEqual({
        exc: "ValueError",
        msg: "filedescriptor out of range in select()",
        errno: null,
      });
      expect(py.poll).toEqual([[1500, select.POLLIN]]);
      expect(py.epoll).toEqual([[1500, select.EPOLLIN]]);
    },
  );
});

// ---------------------------------------------------------------------------------------------

interface EintrReport {
  mode: string;
  seconds: number;
  signals: number;
  eintr: number;
  waits: number[];
  result: unknown;
  error: { name: string; message: string } | null;
}

async function eintrChild(mode: string): Promise<EintrReport> {
  const r = await runChild("tests/api/select-eintr.child.ts", {
    args: [mode],
    timeoutMs: 12_000,
    env: { PYTHON: pythonExe() },
  });
  if (r.timedOut || r.exitCode !== 0)
    throw new Error(
      `child ${mode}: exit ${r.exitCode}, signal ${r.signalCode}, timedOut ${r.timedOut}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  return lastJson<EintrReport>(r.stdout);
}

/** The wait ended on time (not early, not restarted) although signals kept interrupting it. */
function expectDeadlineHeld(r: EintrReport, seconds: number): void {
  expect(r.error).toBeNull();
  expect(r.seconds).toBeGreaterThanOrEqual(seconds);
  expect(r.seconds).toBeLessThan(seconds + 0.25);
  expect(r.eintr).toBeGreaterThan(20); // the OS wait really returned EINTR, and was retried
  expect(r.signals).toBeGreaterThan(20);
  // Each retry waits only for the time left: the timeouts handed to the OS shrink.
  const first = r.waits[0]!;
  const last = r.waits[r.waits.length - 1]!;
  expect(first).toBeLessThanOrEqual(seconds * 1000);
  expect(last).toBeLessThan(first / 2);
  for (let i = 1; i < r.waits.length; i++)
    expect(r.waits[i]!).toBeLessThanOrEqual(r.waits[i - 1]!);
}

describe("EINTR: SIGUSR1 every 5 ms with a JS listener installed (PEP 475)", () => {
  test("select(..., 1.0) on an idle socket returns empty lists after 1.0-1.25 s, deadline held", async () => {
    const r = await eintrChild("select-timeout");
    expectDeadlineHeld(r, 1.0);
    expect(r.result).toEqual([0, 0, 0]);
  }, 15_000);

  test("poll.poll(1000) returns [] after 1.0-1.25 s, deadline held", async () => {
    const r = await eintrChild("poll-timeout");
    expectDeadlineHeld(r, 1.0);
    expect(r.result).toEqual([]);
  }, 15_000);

  test("epoll.poll(1.0) returns [] after 1.0-1.25 s, deadline held", async () => {
    const r = await eintrChild("epoll-timeout");
    expectDeadlineHeld(r, 1.0);
    expect(r.result).toEqual([]);
  }, 15_000);

  test("select(..., 5.0) returns the socket when a Python peer sends 500 ms later", async () => {
    const r = await eintrChild("select-late");
    expect(r.error).toBeNull();
    expect(r.result).toEqual([1, 0, 0]);
    // The peer counts its 500 ms from its own start; under load our wait may begin late, so only require a real wait.
    expect(r.seconds).toBeGreaterThan(0.05);
    expect(r.seconds).toBeLessThan(2);
    expect(r.eintr).toBeGreaterThan(10);
  }, 15_000);

  test("select(...) with no timeout keeps waiting through signals and returns when data arrives", async () => {
    const r = await eintrChild("select-blocking-late");
    expect(r.error).toBeNull();
    expect(r.result).toEqual([1, 0, 0]);
    // The peer counts its 500 ms from its own start; under load our wait may begin late, so only require a real wait.
    expect(r.seconds).toBeGreaterThan(0.05);
    expect(r.eintr).toBeGreaterThan(10);
    expect(r.waits.every((ms) => ms === -1)).toBe(true); // blocking all along
  }, 15_000);
});

describe("EINTR by fault injection: the retry uses the time left", () => {
  /** Replaces `plat.sys[name]` so that each OS wait lasts at most `sliceMs` and then fails with EINTR. */
  function interrupting<K extends "poll" | "epoll_wait">(
    name: K,
    sliceMs: number,
    fn: () => unknown,
  ): { seconds: number; waits: number[]; result: unknown } {
    const sys = plat.sys;
    const real = sys[name]!;
    const waits: number[] = [];
    const slice = (ms: number): number =>
      ms < 0 ? sliceMs : Math.min(ms, sliceMs);
    if (name === "poll") {
      sys.poll = (fds, n, ms) => {
        waits.push(ms);
        const r = (real as typeof sys.poll)(fds, n, slice(ms));
        if (r !== 0 || (ms >= 0 && ms <= sliceMs)) return r;
        sys.setLastError(plat.errnos.EINTR);
        return -1;
      };
    } else {
      sys.epoll_wait = (epfd, evs, max, ms) => {
        waits.push(ms);
        const r = (real as NonNullable<typeof sys.epoll_wait>)(
          epfd,
          evs,
          max,
          slice(ms),
        );
        if (r !== 0 || (ms >= 0 && ms <= sliceMs)) return r;
        sys.setLastError(plat.errnos.EINTR);
        return -1;
      };
    }
    try {
      const [result, seconds] = timed(fn);
      return { seconds, waits, result };
    } finally {
      (sys as unknown as Record<string, unknown>)[name] = real;
    }
  }

  test("select: interrupted every 60 ms, a 0.3 s timeout still ends after 0.3 s, with shrinking waits", () => {
    const [a] = pair();
    const r = interrupting("poll", 60, () => select.select([a], [], [], 0.3));
    expect(r.result).toEqual([[], [], []]);
    expect(r.seconds).toBeGreaterThanOrEqual(0.3);
    expect(r.seconds).toBeLessThan(0.5);
    expect(r.waits.length).toBeGreaterThanOrEqual(4);
    expect(r.waits[0]).toBe(300);
    expect(r.waits[1]!).toBeLessThanOrEqual(241);
    expect(r.waits[1]!).toBeGreaterThan(200);
  });

  test("poll.poll and epoll.poll: the same with their own units", () => {
    const [a] = pair();
    const p = select.poll();
    p.register(a, select.POLLIN);
    const r1 = interrupting("poll", 60, () => p.poll(300));
    expect(r1.result).toEqual([]);
    expect(r1.seconds).toBeGreaterThanOrEqual(0.3);
    expect(r1.seconds).toBeLessThan(0.5);
    expect(r1.waits[0]).toBe(300);
    using ep = select.epoll();
    ep.register(a, select.EPOLLIN);
    const r2 = interrupting("epoll_wait", 60, () => ep.poll(0.3));
    expect(r2.result).toEqual([]);
    expect(r2.seconds).toBeGreaterThanOrEqual(0.3);
    expect(r2.seconds).toBeLessThan(0.5);
    expect(r2.waits[0]).toBe(300);
    expect(r2.waits.length).toBeGreaterThanOrEqual(4);
  });

  test("a blocking wait is retried with no timeout, and returns once the data is there", () => {
    const [a, b] = pair();
    b.sendall("x");
    let calls = 0;
    const sys = plat.sys;
    const real = sys.poll;
    sys.poll = (fds, n, ms) => {
      if (++calls <= 3) {
        sys.setLastError(plat.errnos.EINTR);
        return -1;
      }
      return real(fds, n, ms);
    };
    try {
      expect(select.select([a], [], [])).toEqual([[a], [], []]);
    } finally {
      sys.poll = real;
    }
    expect(calls).toBe(4);
  });

  test("another error from poll(2) is raised as OSError", () => {
    const [a] = pair();
    const sys = plat.sys;
    const real = sys.poll;
    sys.poll = () => {
      sys.setLastError(plat.errnos.ENOMEM);
      return -1;
    };
    try {
      expect(excOf(() => select.select([a], [], [], 0))).toMatchObject({
        exc: "OSError",
        errno: plat.errnos.ENOMEM,
      });
    } finally {
      sys.poll = real;
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("constants", () => {
  test("every int constant of python3's select module is exported with the same value", () => {
    const py = python<Record<string, number>>(
      `import json, select
print(json.dumps({n: int(getattr(select, n)) for n in dir(select)
                  if n.isupper() and isinstance(getattr(select, n), int)}))`,
    );
    const ours = select as unknown as Record<string, unknown>;
    const problems = Object.entries(py)
      .filter(([n, v]) => ours[n] !== v)
      .map(([n, v]) => `${n}: ours ${String(ours[n])}, python ${v}`);
    expect(problems).toEqual([]);
    expect(Object.keys(py).length).toBeGreaterThan(20);
  });

  test("struct epoll_event layout matches the CPU: packed (12 bytes) on x86-64, 16 elsewhere", () => {
    const ev = plat.layout.epollEvent!;
    if (process.arch === "x64")
      expect(ev).toEqual({ size: 12, events: 0, data: 4 });
    else expect(ev).toEqual({ size: 16, events: 0, data: 8 });
  });
});
