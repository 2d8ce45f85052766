// Lifecycle of socket objects and descriptors: dup/detach (with makefile files open), the module-level
// close(fd) and dup(fd), get/set_inheritable, socketpair, the AddressFamily/SocketKind/MsgFlag/AddressInfo
// maps compared with CPython's enums, and repr (toString) compared with CPython's for the same states.
import { afterEach, describe, expect, test } from "bun:test";
import { fstatSync, readFileSync } from "node:fs";
import * as socket from "../../src/index.ts";
import { killAllPeers, python, startPeer, tmpDir } from "../helpers/peer.ts";
import { raises, sock, TEST_TIMEOUT } from "../helpers/sockets.ts";

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const EBADF = python<number>("import errno; print(errno.EBADF)");

/** The `flags:` field of /proc/self/fdinfo/<fd> (octal in the file). */
function fdFlags(fd: number): number {
  const text = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
  const m = /^flags:\s+([0-7]+)$/m.exec(text);
  if (m === null || m[1] === undefined)
    throw new Error(`no flags in fdinfo: ${text}`);
  return parseInt(m[1], 8);
}

/** Whether `fd` is an open descriptor of this process. */
function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  killAllPeers();
  socket.setdefaulttimeout(null);
});

describe("dup and detach", () => {
  test("dup() of a connected socket talks to the same peer; closing the original keeps the dup working (testDup)", async () => {
    const peer = await startPeer(["echo", "--once"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    using d = s.dup();
    expect(d.fileno()).not.toBe(s.fileno());
    expect(d.getpeername()).toEqual(s.getpeername());
    expect(d.get_inheritable()).toBe(false);
    expect(d.gettimeout()).toBe(TEST_TIMEOUT);
    s.sendall("via original|");
    s.close();
    d.sendall("via dup");
    d.shutdown(socket.SHUT_WR);
    const got: Buffer[] = [];
    for (let b = d.recv(100); b.length > 0; b = d.recv(100)) got.push(b);
    expect(Buffer.concat(got).toString()).toBe("via original|via dup");
    expect(await peer.exited).toBe(0);
  });

  test("detach() gives up the fd without closing it; a new socket on that fd works (testDetach)", () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    b.settimeout(TEST_TIMEOUT);
    const fd = a.fileno();
    expect(a.detach()).toBe(fd);
    expect(a.fileno()).toBe(-1);
    expect(raises(() => a.send(Buffer.from("x"))).errno).toBe(EBADF);
    a.close(); // a no-op: the fd belongs to the caller now
    expect(isOpen(fd)).toBe(true);
    using again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0, fd);
    again.sendall("still connected");
    expect(b.recv(100).toString()).toBe("still connected");
  });

  test("detach() while a makefile file is open: closing the file later does not close the fd", () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const f = a.makefile("rb");
    const fd = a.detach();
    expect(String(a)).toBe(
      `<socket.socket [closed] fd=-1, family=1, type=1, proto=0>`,
    );
    f.close();
    expect(isOpen(fd)).toBe(true);
    socket.close(fd);
    expect(isOpen(fd)).toBe(false);
  });
});

describe("module-level close(fd) and dup(fd)", () => {
  test("close(fd) closes the descriptor under the socket; the socket then fails with EBADF (test_socket_close)", () => {
    const s = socket.socket();
    s.bind(["127.0.0.1", 0]);
    socket.close(s.fileno());
    expect(raises(() => s.listen(1)).errno).toBe(EBADF);
    // sock.close() fails with EBADF, as CPython's
    const e = raises(() => s.close());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(EBADF);
    expect(() => socket.close(null as unknown as number)).toThrow(TypeError);
    const bad = raises(() => socket.close(-1));
    expect(bad).toBeInstanceOf(socket.OSError);
    expect(bad.message).toBe(`[Errno ${EBADF}] Bad file descriptor`);
  });

  test("close(fd) rejects a non-integer like CPython's index()", () => {
    const want = python<string[]>(`
import socket, json
out = []
for v in (1.5, "3"):
    try: socket.close(v)
    except TypeError as e: out.append(str(e))
print(json.dumps(out))`);
    const got = [1.5, "3"].map((v) => {
      try {
        socket.close(v as number);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    expect(got).toEqual(want);
  });

  test("dup(fd) returns a new non-inheritable descriptor of the same socket; dup(-1) raises EBADF", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.set_inheritable(true);
    const fd = socket.dup(a.fileno());
    expect(typeof fd).toBe("number");
    expect(fd).not.toBe(a.fileno());
    expect(fdFlags(fd) & O_CLOEXEC).toBe(O_CLOEXEC);
    using d = socket.socket(undefined, undefined, undefined, fd);
    expect([d.family, d.type]).toEqual([socket.AF_UNIX, socket.SOCK_STREAM]);
    expect(d.get_inheritable()).toBe(false);
    d.settimeout(TEST_TIMEOUT);
    b.sendall("to the dup");
    expect(d.recv(100).toString()).toBe("to the dup");
    expect(raises(() => socket.dup(-1)).errno).toBe(EBADF);
  });
});

describe("get_inheritable / set_inheritable", () => {
  test("agree with FD_CLOEXEC in both directions (InheritanceTest.test_set_inheritable_cloexec)", () => {
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    expect(s.get_inheritable()).toBe(false);
    expect(fdFlags(s.fileno()) & O_CLOEXEC).toBe(O_CLOEXEC);
    s.set_inheritable(true);
    expect(s.get_inheritable()).toBe(true);
    expect(fdFlags(s.fileno()) & O_CLOEXEC).toBe(0);
    s.set_inheritable(false);
    expect(s.get_inheritable()).toBe(false);
    expect(fdFlags(s.fileno()) & O_CLOEXEC).toBe(O_CLOEXEC);
  });

  test("set_inheritable does not touch O_NONBLOCK (timeout mode survives)", () => {
    using s = socket.socket();
    s.settimeout(1);
    s.set_inheritable(true);
    expect(fdFlags(s.fileno()) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(s.gettimeout()).toBe(1);
  });

  test("on a closed socket both raise OSError EBADF", () => {
    const s = socket.socket();
    s.close();
    expect(raises(() => s.get_inheritable()).errno).toBe(EBADF);
    expect(raises(() => s.set_inheritable(true)).errno).toBe(EBADF);
  });
});

describe("socketpair", () => {
  test("defaults to AF_UNIX, SOCK_STREAM, proto 0 (BasicSocketPairTest.testDefaults)", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    for (const s of [a, b]) {
      expect(s).toBeInstanceOf(socket.socket);
      expect([s.family, s.type, s.proto]).toEqual([
        socket.AF_UNIX,
        socket.SOCK_STREAM,
        0,
      ]);
      expect(s.gettimeout()).toBeNull();
    }
  });

  test("is bidirectional (BasicSocketPairTest.testRecv/testSend)", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.settimeout(TEST_TIMEOUT);
    b.settimeout(TEST_TIMEOUT);
    a.sendall("a->b");
    expect(b.recv(1024).toString()).toBe("a->b");
    b.sendall("b->a");
    expect(a.recv(1024).toString()).toBe("b->a");
    a.close();
    expect(b.recv(1024).length).toBe(0);
  });

  test("both ends are non-inheritable (InheritanceTest.test_socketpair)", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    expect(a.get_inheritable()).toBe(false);
    expect(b.get_inheritable()).toBe(false);
    expect(fdFlags(a.fileno()) & O_CLOEXEC).toBe(O_CLOEXEC);
  });

  test("SOCK_DGRAM and SOCK_SEQPACKET keep message boundaries", () => {
    for (const type of [socket.SOCK_DGRAM, socket.SOCK_SEQPACKET]) {
      const [a, b] = socket.socketpair(socket.AF_UNIX, type);
      using _a = a;
      using _b = b;
      expect(a.type).toBe(type);
      b.settimeout(TEST_TIMEOUT);
      a.send(Buffer.from("one"));
      a.send(Buffer.from("two"));
      expect(b.recv(100).toString()).toBe("one");
      expect(b.recv(100).toString()).toBe("two");
    }
  });

  test("the default timeout applies to both ends (and their fds are non-blocking)", () => {
    socket.setdefaulttimeout(3);
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    for (const s of [a, b]) {
      expect(s.gettimeout()).toBe(3);
      expect(fdFlags(s.fileno()) & O_NONBLOCK).toBe(O_NONBLOCK);
    }
  });

  test("SOCK_NONBLOCK in type gives non-blocking sockets with the flag masked from .type", () => {
    const want = python<[number, number, number]>(`
import socket, json
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
print(json.dumps([int(a.type), a.gettimeout(), b.gettimeout()]))`);
    const [a, b] = socket.socketpair(
      socket.AF_UNIX,
      socket.SOCK_STREAM | socket.SOCK_NONBLOCK,
    );
    using _a = a;
    using _b = b;
    expect([a.type, a.gettimeout(), b.gettimeout()]).toEqual(want);
    expect(raises(() => a.recv(1))).toBeInstanceOf(socket.BlockingIOError);
  });

  test("an unsupported family raises CPython's OSError (AF_INET: EOPNOTSUPP on Linux)", () => {
    const want = python<{ errno: number; msg: string }>(`
import socket, json
try: socket.socketpair(socket.AF_INET)
except OSError as e: print(json.dumps({"errno": e.errno, "msg": str(e)}))`);
    const e = raises(() => socket.socketpair(socket.AF_INET));
    expect(e).toBeInstanceOf(socket.OSError);
    expect({ errno: e.errno, msg: e.message }).toEqual(want);
  });
});

describe("AddressFamily, SocketKind, MsgFlag, AddressInfo", () => {
  const pyEnums = python<
    Record<
      string,
      { members: Record<string, number>; names: Record<string, string> }
    >
  >(`
import socket, json
out = {}
for en in ("AddressFamily", "SocketKind", "MsgFlag", "AddressInfo"):
    E = getattr(socket, en)
    members = {n: int(m) for n, m in E.__members__.items()}
    names = {str(v): E(v).name for v in sorted(set(members.values()))}
    out[en] = {"members": members, "names": names}
print(json.dumps(out))`);

  for (const en of [
    "AddressFamily",
    "SocketKind",
    "MsgFlag",
    "AddressInfo",
  ] as const) {
    test(`${en}: every CPython member name maps to its number, and every number to CPython's canonical name (test_${en.toLowerCase()}_enum)`, () => {
      const ours = socket[en];
      const py = pyEnums[en]!;
      expect(Object.keys(py.members).length).toBeGreaterThan(0);
      const ourNames = Object.fromEntries(
        Object.entries(ours).filter(([k]) => !/^-?\d+$/.test(k)),
      );
      expect(ourNames).toEqual(py.members);
      const ourNumbers = Object.fromEntries(
        Object.entries(ours).filter(([k]) => /^-?\d+$/.test(k)),
      );
      expect(ourNumbers).toEqual(py.names);
    });
  }

  test("s.family / s.type print as names through the maps", () => {
    using s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    expect(socket.AddressFamily[s.family]).toBe("AF_INET6");
    expect(socket.SocketKind[s.type]).toBe("SOCK_DGRAM");
    expect(socket.AddressFamily[2]).toBe("AF_INET");
    expect(socket.AddressFamily.AF_UNIX).toBe(socket.AF_UNIX);
    expect(socket.MsgFlag[socket.MSG_PEEK]).toBe("MSG_PEEK");
    expect(socket.AddressInfo[socket.AI_PASSIVE]).toBe("AI_PASSIVE");
    expect(Object.isFrozen(socket.AddressFamily)).toBe(true);
  });
});

describe("repr (toString) against CPython's", () => {
  /** fd numbers, port numbers, the temp directory and the abstract name vary between runs and processes. */
  function norm(r: string, dir: string): string {
    return r
      .split(dir)
      .join("DIR")
      .replace(/fd=\d+/g, "fd=N")
      .replace(/('[^']*', )\d+/g, "$1PORT")
      .replace(/repr-[a-z0-9]+/g, "repr-NAME");
  }

  test("the same states give the same repr: unbound, listening, connected, accepted, UDP, IPv6, AF_UNIX, closed, closed with a file open, detached, create_connection", () => {
    const pyDir = tmpDir();
    const want = python<Record<string, string>>(`
import socket, json, os
d = ${JSON.stringify(pyDir.path)}
r = {}
s = socket.socket(); r["inet_unbound"] = repr(s)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(); r["inet_listener"] = repr(l)
c = socket.socket(); c.connect(l.getsockname()); r["inet_client"] = repr(c)
a, _ = l.accept(); r["inet_accepted"] = repr(a)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r["udp_unbound"] = repr(u)
s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", 0)); r["inet6_bound"] = repr(s6)
p, q = socket.socketpair(); r["pair"] = repr(p)
ub = socket.socket(socket.AF_UNIX); ub.bind(os.path.join(d, "x.sock")); r["unix_path"] = repr(ub)
ab = socket.socket(socket.AF_UNIX); ab.bind(b"\\0repr-" + str(os.getpid()).encode()); r["unix_abstract"] = repr(ab)
cl = socket.socket(); cl.close(); r["closed"] = repr(cl)
m = socket.socket(); m.bind(("127.0.0.1", 0)); f = m.makefile("rb"); m.close(); r["closed_with_file"] = repr(m)
f.close(); r["closed_after_file"] = repr(m)
dt = socket.socket(); dt.detach(); r["detached"] = repr(dt)
cc = socket.create_connection(l.getsockname()); r["create_connection"] = repr(cc)
print(json.dumps(r))`);
    pyDir.cleanup();

    using dir = tmpDir();
    const keep: socket.socket[] = [];
    const k = <T extends socket.socket>(s: T): T => {
      keep.push(s);
      return s;
    };
    try {
      const r: Record<string, string> = {};
      r.inet_unbound = String(k(socket.socket()));
      const l = k(sock());
      l.bind(["127.0.0.1", 0]);
      l.listen();
      r.inet_listener = String(l);
      const c = k(sock());
      c.connect(l.getsockname() as [string, number]);
      r.inet_client = String(c);
      const [a] = l.accept();
      r.inet_accepted = String(k(a));
      r.udp_unbound = String(
        k(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)),
      );
      const s6 = k(socket.socket(socket.AF_INET6));
      s6.bind(["::1", 0]);
      r.inet6_bound = String(s6);
      const [p, q] = socket.socketpair();
      k(p);
      k(q);
      r.pair = String(p);
      const ub = k(socket.socket(socket.AF_UNIX));
      ub.bind(dir.join("x.sock"));
      r.unix_path = String(ub);
      const ab = k(socket.socket(socket.AF_UNIX));
      ab.bind(Buffer.from(`\0repr-${process.pid}`));
      r.unix_abstract = String(ab);
      const cl = socket.socket();
      cl.close();
      r.closed = String(cl);
      const m = k(socket.socket());
      m.bind(["127.0.0.1", 0]);
      const f = m.makefile("rb");
      m.close();
      r.closed_with_file = String(m);
      f.close();
      r.closed_after_file = String(m);
      const dt = socket.socket();
      socket.close(dt.detach());
      r.detached = String(dt);
      const cc = k(
        socket.create_connection(l.getsockname() as [string, number], 5),
      );
      r.create_connection = String(cc);

      const normWant = Object.fromEntries(
        Object.entries(want).map(([key, v]) => [key, norm(v, pyDir.path)]),
      );
      const normGot = Object.fromEntries(
        Object.entries(r).map(([key, v]) => [key, norm(v, dir.path)]),
      );
      expect(normGot).toEqual(normWant);
      // and the fd shown is the live one
      expect(String(m)).toContain("fd=-1");
      expect(r.inet_listener).toContain(`fd=${l.fileno()},`);
      expect(Bun.inspect(l)).toBe(String(l));
    } finally {
      for (const s of keep) s.close();
    }
  });

  test("while a makefile file keeps it open, a closed socket shows [closed] with its live fd and no addresses", () => {
    const s = sock();
    s.bind(["127.0.0.1", 0]);
    const fd = s.fileno();
    const f = s.makefile("wb");
    s.close();
    expect(String(s)).toBe(
      `<socket.socket [closed] fd=${fd}, family=2, type=1, proto=0>`,
    );
    expect(isOpen(fd)).toBe(true);
    f.close();
    expect(isOpen(fd)).toBe(false);
    expect(String(s)).toBe(
      `<socket.socket [closed] fd=-1, family=2, type=1, proto=0>`,
    );
  });
});
