// The socket object's lifecycle: creation, adoption of descriptors (fileno=, fromfd, dup,
// detach), close and use-after-close, and repr. Real sockets on loopback only; every call that
// could block runs under a socket timeout.
import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, openSync } from "node:fs";
import * as errno from "../../src/errno.ts";
import * as socket from "../../src/index.ts";
import { python, tmpDir } from "../helpers/peer.ts";
import {
  CLOSED_ERRNO,
  fdCloexec,
  fdNonBlocking,
  HAS_AF_UNIX,
  HAS_SOCK_TYPE_FLAGS,
  isOpenFd as isOpen,
  lacks,
  LINUX_ERRNOS,
  NO_AF_UNIX,
  NO_FD_REUSE,
  NO_LINUX_ERRNOS,
  NO_SAME_OS_ORACLE,
  NO_SOCK_TYPE_FLAGS,
  ORACLE_SAME_OS,
  REUSES_FD_NUMBERS,
  UNBOUND_GETSOCKNAME,
} from "../helpers/platform.ts";
import { plat } from "../../src/ffi/index.ts";

/** The exception `fn` throws; fails the test when it returns normally. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception, none was thrown");
}

/** Asserts `fn` raises OSError with `errno` (and, when given, exactly `message`). */
function expectErrno(fn: () => unknown, errno: number, message?: string) {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(socket.OSError);
  expect((e as socket.OSError).errno).toBe(errno);
  if (message !== undefined) expect(e.message).toBe(message);
}

/**
 * A new UDP socket whose descriptor number is `n` (just freed): the kernel hands out the lowest
 * free number, so it is normally the first one; sockets that got other numbers are closed.
 */
function socketOnFd(n: number): socket.socket | undefined {
  const extra: socket.socket[] = [];
  let found: socket.socket | undefined;
  for (let i = 0; i < 64 && found === undefined; i++) {
    const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    if (c.fileno() === n) found = c;
    else extra.push(c);
  }
  for (const c of extra) c.close();
  return found;
}

// The error of a closed socket: EBADF (9) on Linux; Windows: WSAENOTSOCK, as CPython there.
const EBADF = CLOSED_ERRNO;
const EBADF_MSG = LINUX_ERRNOS ? "[Errno 9] Bad file descriptor" : undefined;

const opened: socket.socket[] = [];
/** A socket closed after the test, with a 2 s timeout so nothing can hang. */
function sock(family?: number, type?: number, proto?: number): socket.socket {
  const s = socket.socket(family, type, proto);
  opened.push(s);
  s.settimeout(2);
  return s;
}
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

describe("constructor", () => {
  test("socket() works with and without new and gives a socket.socket", () => {
    const a = socket.socket();
    const b = new socket.socket();
    try {
      expect(a).toBeInstanceOf(socket.socket);
      expect(b).toBeInstanceOf(socket.socket);
      expect(a.fileno()).toBeGreaterThanOrEqual(0);
      expect(b.fileno()).toBeGreaterThanOrEqual(0);
      expect(a.fileno()).not.toBe(b.fileno());
    } finally {
      a.close();
      b.close();
    }
  });

  test("SocketType is the socket class (test_SocketType_is_socketobject)", () => {
    expect(socket.SocketType).toBe(socket.socket);
    using s = socket.socket();
    expect(s).toBeInstanceOf(socket.SocketType);
  });

  test("defaults are AF_INET, SOCK_STREAM, proto 0 (testNewAttributes)", () => {
    using s = socket.socket();
    expect(s.family).toBe(socket.AF_INET);
    expect(s.type).toBe(socket.SOCK_STREAM);
    expect(s.proto).toBe(0);
    expect([s.family, s.type, s.proto]).toEqual([2, 1, 0]);
  });

  test("family, type and proto echo explicit arguments", () => {
    using s = socket.socket(
      socket.AF_INET,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    );
    expect(s.family).toBe(socket.AF_INET);
    expect(s.type).toBe(socket.SOCK_DGRAM);
    expect(s.proto).toBe(socket.IPPROTO_UDP);
  });

  test("type never carries SOCK_NONBLOCK or SOCK_CLOEXEC (test_socket_consistent_sock_type)", () => {
    using s = socket.socket(
      socket.AF_INET,
      socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC,
    );
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.settimeout(1);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.settimeout(0);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.setblocking(true);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.setblocking(false);
    expect(s.type).toBe(socket.SOCK_STREAM);
  });

  test.skipIf(lacks(HAS_SOCK_TYPE_FLAGS, NO_SOCK_TYPE_FLAGS))(
    "SOCK_NONBLOCK at creation gives timeout 0 and an O_NONBLOCK descriptor (testInitNonBlocking)",
    () => {
      using s = socket.socket(
        socket.AF_INET,
        socket.SOCK_STREAM | socket.SOCK_NONBLOCK,
      );
      expect(s.gettimeout()).toBe(0);
      expect(s.getblocking()).toBe(false);
      expect(fdNonBlocking(s.fileno())).toBe(true);
    },
  );

  test("new sockets are close-on-exec (test_default_inheritable)", () => {
    using s = socket.socket();
    expect(s.get_inheritable()).toBe(false);
    expect(fdCloexec(s.fileno())).toBe(true);
  });

  test("SOCK_CLOEXEC in type is accepted and masked (test_SOCK_CLOEXEC)", () => {
    using s = socket.socket(
      socket.AF_INET,
      socket.SOCK_STREAM | socket.SOCK_CLOEXEC,
    );
    expect(s.type).toBe(socket.SOCK_STREAM);
    expect(s.get_inheritable()).toBe(false);
  });

  test("set_inheritable toggles FD_CLOEXEC on the descriptor (test_set_inheritable_cloexec)", () => {
    using s = socket.socket();
    s.set_inheritable(true);
    expect(s.get_inheritable()).toBe(true);
    expect(fdCloexec(s.fileno())).toBe(false);
    s.set_inheritable(false);
    expect(s.get_inheritable()).toBe(false);
    expect(fdCloexec(s.fileno())).toBe(true);
  });

  // CPython's outcome for each family × type, measured by the oracle on this machine.
  const families = { AF_INET: 2, AF_INET6: 10, AF_UNIX: 1 } as const;
  const types = { SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_SEQPACKET: 5 } as const;
  type Outcome =
    | { ok: [number, number, number] }
    | { exc: string; errno: number | null; msg: string };
  const expected = !ORACLE_SAME_OS
    ? {}
    : python<Record<string, Outcome>>(`
import json, socket
out = {}
for fn in ("AF_INET", "AF_INET6", "AF_UNIX"):
    for tn in ("SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET"):
        try:
            s = socket.socket(getattr(socket, fn), getattr(socket, tn))
            out[fn + " " + tn] = {"ok": [int(s.family), int(s.type), s.proto]}
            s.close()
        except OSError as e:
            out[fn + " " + tn] = {"exc": type(e).__name__, "errno": e.errno, "msg": str(e)}
print(json.dumps(out))
`);
  for (const [fname, fam] of Object.entries(families)) {
    for (const [tname, typ] of Object.entries(types)) {
      const key = `${fname} ${tname}`;
      // The numbers are Linux's and the outcomes its Python's.
      test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
        `socket(${fname}, ${tname}) behaves as CPython's`,
        () => {
          const want = expected[key];
          expect(want).toBeDefined();
          let got: Outcome;
          try {
            const s = socket.socket(fam, typ);
            got = { ok: [s.family, s.type, s.proto] };
            expect(s.fileno()).toBeGreaterThanOrEqual(0);
            s.close();
          } catch (e) {
            if (!(e instanceof socket.OSError)) throw e;
            got = { exc: e.name, errno: e.errno, msg: e.message };
          }
          expect(got).toEqual(want!);
        },
      );
    }
  }

  test("SOCK_RAW either works (privileged) or raises PermissionError", () => {
    let s: socket.socket | undefined;
    let err: unknown;
    try {
      s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP);
    } catch (e) {
      err = e;
    }
    if (s !== undefined) {
      try {
        expect(s.type).toBe(socket.SOCK_RAW);
        expect(s.proto).toBe(socket.IPPROTO_ICMP);
        expect(s.fileno()).toBeGreaterThanOrEqual(0);
      } finally {
        s.close();
      }
    } else {
      expect(err).toBeInstanceOf(socket.PermissionError);
      expect((err as socket.OSError).errno).toBe(1);
    }
  });

  test("an unknown family raises OSError EAFNOSUPPORT", () => {
    const e = thrown(() => socket.socket(12345));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.name).toBe("OSError");
    expect((e as socket.OSError).errno).toBe(errno.EAFNOSUPPORT);
    expect((e as socket.OSError).code).toBe("EAFNOSUPPORT");
    if (LINUX_ERRNOS)
      expect(e.message).toBe(
        "[Errno 97] Address family not supported by protocol",
      );
  });

  // Winsock reports WSAESOCKTNOSUPPORT here.
  test.skipIf(lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
    "an unknown type raises OSError EINVAL",
    () => {
      expectErrno(
        () => socket.socket(socket.AF_INET, 12345),
        22,
        "[Errno 22] Invalid argument",
      );
    },
  );
});

describe("adopting a descriptor: socket(fileno=fd)", () => {
  test("detects family, type and proto of a detached UDP6 socket (test_socket_fileno)", () => {
    const u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    const fd = u.detach();
    using a = socket.socket(null, null, null, fd);
    expect(a.fileno()).toBe(fd);
    expect(a.family).toBe(socket.AF_INET6);
    expect(a.type).toBe(socket.SOCK_DGRAM);
    expect(a.proto).toBe(socket.IPPROTO_UDP);
    // Winsock: getsockname of an unbound socket fails (WSAEINVAL), in CPython too.
    if (UNBOUND_GETSOCKNAME) expect(a.getsockname()).toEqual(["::", 0, 0, 0]);
  });

  test("undefined family/type/proto are detected too, for a bound TCP socket", () => {
    const t = socket.socket();
    t.bind(["127.0.0.1", 0]);
    const name = t.getsockname();
    const fd = t.detach();
    using a = socket.socket(undefined, undefined, undefined, fd);
    expect([a.family, a.type, a.proto]).toEqual([
      socket.AF_INET,
      socket.SOCK_STREAM,
      socket.IPPROTO_TCP,
    ]);
    expect(a.getsockname()).toEqual(name);
  });

  test.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))(
    "an AF_UNIX socket is detected as AF_UNIX",
    () => {
      using dir = tmpDir();
      const u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      u.bind(dir.join("s"));
      const fd = u.detach();
      using a = socket.socket(undefined, undefined, undefined, fd);
      expect([a.family, a.type]).toEqual([socket.AF_UNIX, socket.SOCK_STREAM]);
      expect(a.getsockname()).toBe(dir.join("s"));
    },
  );

  test("a negative fileno raises ValueError (test_socket_fileno_rejects_negative)", () => {
    for (const fd of [-1, -42]) {
      const e = thrown(() =>
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd),
      );
      expect(e).toBeInstanceOf(socket.ValueError);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe("negative file descriptor");
    }
  });

  test("a float fileno raises TypeError (test_socket_fileno_rejects_float)", () => {
    const e = thrown(() =>
      socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, 42.5),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(
      "'float' object cannot be interpreted as an integer",
    );
  });

  test("a string fileno raises TypeError (test_socket_fileno_rejects_other_types)", () => {
    const e = thrown(() =>
      socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, "foo" as never),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("'str' object cannot be interpreted as an integer");
  });

  test("a non-socket fd raises ENOTSOCK and stays open (test_socket_fileno_requires_socket_fd)", () => {
    const fd = openSync("/dev/null", "r");
    try {
      expectErrno(
        () => socket.socket(undefined, undefined, undefined, fd),
        errno.ENOTSOCK,
        LINUX_ERRNOS ? "[Errno 88] Socket operation on non-socket" : undefined,
      );
      expectErrno(
        () => socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd),
        errno.ENOTSOCK,
      );
      expect(isOpen(fd)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  test("a closed fd raises EBADF (test_socket_fileno_requires_valid_fd)", () => {
    const s = socket.socket();
    const fd = s.fileno();
    s.close();
    expect(isOpen(fd)).toBe(false);
    expectErrno(
      () => socket.socket(undefined, undefined, undefined, fd),
      EBADF,
      EBADF_MSG,
    );
  });
});

describe("fromfd, dup, detach", () => {
  test("fromfd duplicates: both fds valid and different; closing one keeps the other (testFromFd)", () => {
    const a = sock(socket.AF_INET, socket.SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    const addr = a.getsockname();
    const b = socket.fromfd(a.fileno(), socket.AF_INET, socket.SOCK_DGRAM);
    opened.push(b);
    expect(b).toBeInstanceOf(socket.socket);
    expect(b.fileno()).toBeGreaterThanOrEqual(0);
    expect(b.fileno()).not.toBe(a.fileno());
    expect(b.get_inheritable()).toBe(false);
    expect(b.getsockname()).toEqual(addr);
    a.close();
    expect(b.getsockname()).toEqual(addr);
    b.settimeout(2);
    const tx = sock(socket.AF_INET, socket.SOCK_DGRAM);
    tx.sendto(Buffer.from("via fromfd"), addr as [string, number]);
    const [data] = b.recvfrom(100);
    expect(data.toString()).toBe("via fromfd");
  });

  test("fromfd of a bad fd raises EBADF", () => {
    const s = socket.socket();
    const fd = s.fileno();
    s.close();
    expectErrno(
      () => socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM),
      EBADF,
    );
  });

  test("dup copies family, type, proto and the timeout (testDup)", () => {
    for (const t of [null, 0, 2.5]) {
      using s = socket.socket(
        socket.AF_INET,
        socket.SOCK_DGRAM,
        socket.IPPROTO_UDP,
      );
      s.settimeout(t);
      using d = s.dup();
      expect(d.fileno()).not.toBe(s.fileno());
      expect([d.family, d.type, d.proto]).toEqual([s.family, s.type, s.proto]);
      expect(d.gettimeout()).toBe(t);
      expect(d.getblocking()).toBe(t !== 0);
      expect(fdNonBlocking(d.fileno())).toBe(t !== null);
    }
  });

  test("dup is non-inheritable even when the original is inheritable (InheritanceTest.test_dup)", () => {
    using s = socket.socket();
    s.set_inheritable(true);
    using d = s.dup();
    expect(d.get_inheritable()).toBe(false);
    expect(fdCloexec(d.fileno())).toBe(true);
    s.close();
    expect(d.get_inheritable()).toBe(false);
  });

  test("dup shares the socket: data sent to the original's address arrives on the dup", () => {
    const a = sock(socket.AF_INET, socket.SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    const d = a.dup();
    opened.push(d);
    const addr = a.getsockname() as [string, number];
    expect(d.getsockname()).toEqual(addr);
    a.close();
    const tx = sock(socket.AF_INET, socket.SOCK_DGRAM);
    tx.sendto(Buffer.from("dup"), addr);
    expect(d.recv(10).toString()).toBe("dup");
  });

  test("detach returns the fd, closes the object, and leaves the fd open (testDetach)", () => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    const addr = s.getsockname();
    const fileno = s.fileno();
    const fd = s.detach();
    expect(fd).toBe(fileno);
    expect(s.fileno()).toBe(-1);
    expect(String(s)).toContain("[closed]");
    expectErrno(() => s.recv(1024), EBADF, EBADF_MSG);
    s.close();
    expect(isOpen(fd)).toBe(true);
    using again = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 0, fd);
    expect(again.getsockname()).toEqual(addr);
  });

  test("detach twice returns -1 the second time", () => {
    const s = socket.socket();
    const fd = s.detach();
    expect(s.detach()).toBe(-1);
    using again = socket.socket(undefined, undefined, undefined, fd);
    expect(again.fileno()).toBe(fd);
  });

  test("a detached socket that is garbage-collected does not close the fd", async () => {
    let fd = -1;
    (() => {
      const s = socket.socket();
      fd = s.detach();
    })();
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      await Bun.sleep(1);
    }
    expect(isOpen(fd)).toBe(true);
    using again = socket.socket(undefined, undefined, undefined, fd);
    expect(again.type).toBe(socket.SOCK_STREAM);
  });
});

describe("close and use after close", () => {
  test("close is idempotent and fileno() is -1 afterwards", () => {
    const s = socket.socket();
    const fd = s.fileno();
    s.close();
    expect(s.fileno()).toBe(-1);
    expect(isOpen(fd)).toBe(false);
    s.close();
    s.close();
    expect(s.fileno()).toBe(-1);
  });

  test("close of an fd closed behind our back raises EBADF (testCloseException)", () => {
    const s = socket.socket();
    s.bind(["127.0.0.1", 0]);
    socket.socket(undefined, undefined, undefined, s.fileno()).close();
    expectErrno(() => s.close(), EBADF, EBADF_MSG);
    expect(s.fileno()).toBe(-1);
  });

  // Every method on a closed socket raises OSError EBADF, exactly as CPython 3.13 does.
  const buf4 = (): Uint8Array => new Uint8Array(4);
  const methods: [string, (s: socket.socket) => unknown][] = [
    ["accept", (s) => s.accept()],
    ["bind", (s) => s.bind(["127.0.0.1", 0])],
    ["connect", (s) => s.connect(["127.0.0.1", 9])],
    ["getpeername", (s) => s.getpeername()],
    ["getsockname", (s) => s.getsockname()],
    ["getsockopt", (s) => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)],
    [
      "getsockopt(buflen)",
      (s) => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4),
    ],
    [
      "setsockopt",
      (s) => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1),
    ],
    [
      "setsockopt(bytes)",
      (s) => s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.alloc(8)),
    ],
    ["listen", (s) => s.listen()],
    ["recv", (s) => s.recv(1)],
    ["recvfrom", (s) => s.recvfrom(1)],
    ["recvfrom(0)", (s) => s.recvfrom(0)],
    ["recv_into", (s) => s.recv_into(buf4())],
    ["recvfrom_into", (s) => s.recvfrom_into(buf4())],
    ["send", (s) => s.send(Buffer.from("x"))],
    ["send(empty)", (s) => s.send(Buffer.alloc(0))],
    ["sendall", (s) => s.sendall(Buffer.from("x"))],
    ["sendall(empty)", (s) => s.sendall(Buffer.alloc(0))],
    ["sendto", (s) => s.sendto(Buffer.from("x"), ["127.0.0.1", 9])],
    ["shutdown", (s) => s.shutdown(socket.SHUT_RDWR)],
    ["setblocking", (s) => s.setblocking(true)],
    ["settimeout", (s) => s.settimeout(1)],
    ["dup", (s) => s.dup()],
    ["get_inheritable", (s) => s.get_inheritable()],
    ["set_inheritable", (s) => s.set_inheritable(true)],
  ];
  for (const [name, call] of methods) {
    test(`${name} on a closed socket raises OSError EBADF`, () => {
      const s = socket.socket();
      s.close();
      const e = thrown(() => call(s));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.name).toBe("OSError");
      expect((e as socket.OSError).errno).toBe(EBADF);
      expect((e as socket.OSError).code).toBe(plat.features.closedSocket);
      if (EBADF_MSG !== undefined) expect(e.message).toBe(EBADF_MSG);
    });
  }

  test("connect_ex on a closed socket returns EBADF (9) instead of raising", () => {
    const s = socket.socket();
    s.close();
    expect(s.connect_ex(["127.0.0.1", 9])).toBe(EBADF);
  });

  test("recv(0) and recv_into(empty) on a closed socket return empty, as CPython (size checked first)", () => {
    const s = socket.socket();
    s.close();
    expect(s.recv(0)).toEqual(Buffer.alloc(0));
    expect(s.recv_into(new Uint8Array(0))).toBe(0);
  });

  test("argument errors win over EBADF on a closed socket", () => {
    const s = socket.socket();
    s.close();
    expect(thrown(() => s.recv(-1)).message).toBe(
      "negative buffersize in recv",
    );
    expect(thrown(() => s.bind("x" as never)).message).toBe(
      "bind(): AF_INET address must be tuple, not str",
    );
  });

  test("timeout accessors, fileno, detach and close still work on a closed socket", () => {
    const s = socket.socket();
    s.settimeout(1.5);
    s.close();
    expect(s.gettimeout()).toBe(1.5);
    expect(s.getblocking()).toBe(true);
    expect(s.fileno()).toBe(-1);
    expect(s.detach()).toBe(-1);
    expect(() => s.close()).not.toThrow();
  });

  test.skipIf(lacks(REUSES_FD_NUMBERS, NO_FD_REUSE))(
    "a closed socket never touches a new socket that reuses its fd number",
    () => {
      const a = socket.socket();
      const n = a.fileno();
      a.close();
      const b = socketOnFd(n);
      expect(b).toBeDefined();
      const bb = b!;
      try {
        bb.settimeout(2);
        bb.bind(["127.0.0.1", 0]);
        const addr = bb.getsockname();
        expectErrno(() => a.getsockname(), EBADF, EBADF_MSG);
        expectErrno(() => a.recv(1), EBADF);
        expectErrno(() => a.send(Buffer.from("x")), EBADF);
        expectErrno(
          () => a.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1),
          EBADF,
        );
        expectErrno(() => a.settimeout(null), EBADF);
        expect(a.connect_ex(["127.0.0.1", 9])).toBe(EBADF);
        a.close();
        expect(a.detach()).toBe(-1);
        // b is untouched: still open, same address, same mode, no option set through a.
        expect(isOpen(n)).toBe(true);
        expect(bb.getsockname()).toEqual(addr);
        expect(bb.gettimeout()).toBe(2);
        expect(fdNonBlocking(n)).toBe(true);
        expect(bb.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST)).toBe(0);
        const tx = sock(socket.AF_INET, socket.SOCK_DGRAM);
        tx.sendto(Buffer.from("still mine"), addr as [string, number]);
        expect(bb.recv(100).toString()).toBe("still mine");
      } finally {
        bb.close();
      }
    },
  );

  test.skipIf(lacks(REUSES_FD_NUMBERS, NO_FD_REUSE))(
    "garbage collection of a closed socket does not close a reused fd number",
    async () => {
      let n = -1;
      (() => {
        const a = socket.socket();
        n = a.fileno();
        a.close();
      })();
      const b = socketOnFd(n);
      expect(b).toBeDefined();
      try {
        expect(b!.fileno()).toBe(n);
        for (let i = 0; i < 3; i++) {
          Bun.gc(true);
          await Bun.sleep(1);
        }
        expect(isOpen(n)).toBe(true);
        expect(b!.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
          socket.SOCK_DGRAM,
        );
      } finally {
        b?.close();
      }
    },
  );

  test("`using` closes the socket at the end of the scope (ContextManagersTest)", () => {
    let kept: socket.socket | undefined;
    let fd = -1;
    {
      using s = socket.socket();
      kept = s;
      fd = s.fileno();
      expect(isOpen(fd)).toBe(true);
    }
    expect(kept.fileno()).toBe(-1);
    expect(isOpen(fd)).toBe(false);
  });

  test("`using` closes the socket when the scope throws", () => {
    let kept: socket.socket | undefined;
    expect(() => {
      using s = socket.socket();
      kept = s;
      throw new Error("inside");
    }).toThrow("inside");
    expect(kept!.fileno()).toBe(-1);
  });

  test("Symbol.dispose is close", () => {
    const s = socket.socket();
    s[Symbol.dispose]();
    expect(s.fileno()).toBe(-1);
    s[Symbol.dispose]();
    expect(s.fileno()).toBe(-1);
  });
});

describe("repr (toString)", () => {
  test("an unbound AF_INET socket shows laddr ('0.0.0.0', 0) (test_repr)", () => {
    using s = socket.socket();
    // Winsock: getsockname of an unbound socket fails, and CPython's repr then shows no laddr.
    const laddr = UNBOUND_GETSOCKNAME ? ", laddr=('0.0.0.0', 0)" : "";
    expect(String(s)).toBe(
      `<socket.socket fd=${s.fileno()}, family=2, type=1, proto=0${laddr}>`,
    );
    expect(String(s)).not.toContain("raddr");
  });

  test("a bound socket shows laddr like Python's tuple", () => {
    using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    s.bind(["127.0.0.1", 0]);
    const [, port] = s.getsockname() as [string, number];
    expect(String(s)).toBe(
      `<socket.socket fd=${s.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${port})>`,
    );
    expect(`${s}`).toBe(String(s));
    expect(Bun.inspect(s)).toBe(String(s));
  });

  test("a connected socket shows laddr and raddr", () => {
    const srv = sock();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const [, sport] = srv.getsockname() as [string, number];
    const c = sock();
    c.connect(["127.0.0.1", sport]);
    const [, cport] = c.getsockname() as [string, number];
    expect(String(c)).toBe(
      `<socket.socket fd=${c.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${cport}), raddr=('127.0.0.1', ${sport})>`,
    );
  });

  test("an AF_INET6 socket shows the 4-tuple", () => {
    using s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    s.bind(["::1", 0]);
    const [, port] = s.getsockname() as [string, number];
    expect(String(s)).toBe(
      `<socket.socket fd=${s.fileno()}, family=${socket.AF_INET6}, type=2, proto=0, laddr=('::1', ${port}, 0, 0)>`,
    );
  });

  test.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))(
    "AF_UNIX: no laddr when unnamed, a bare path when bound, bytes for abstract names",
    () => {
      using dir = tmpDir();
      using u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      expect(String(u)).toBe(
        `<socket.socket fd=${u.fileno()}, family=1, type=1, proto=0>`,
      );
      const path = dir.join("s");
      u.bind(path);
      expect(String(u)).toBe(
        `<socket.socket fd=${u.fileno()}, family=1, type=1, proto=0, laddr=${path}>`,
      );
      u.listen();
      using c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      c.settimeout(2);
      c.connect(path);
      expect(String(c)).toBe(
        `<socket.socket fd=${c.fileno()}, family=1, type=1, proto=0, raddr=${path}>`,
      );
      using ab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      const name = `\0bs-repr-${process.pid}`;
      ab.bind(Buffer.from(name));
      expect(String(ab)).toBe(
        `<socket.socket fd=${ab.fileno()}, family=1, type=1, proto=0, laddr=b'\\x00bs-repr-${process.pid}'>`,
      );
    },
  );

  test("a closed socket shows [closed] fd=-1 and no addresses", () => {
    const s = socket.socket();
    s.bind(["127.0.0.1", 0]);
    s.close();
    expect(String(s)).toBe(
      "<socket.socket [closed] fd=-1, family=2, type=1, proto=0>",
    );
  });

  test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
    "the repr matches CPython's for the same kind of socket",
    () => {
      const py = python<string>(`
import json, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.close()
print(json.dumps(repr(s)))
`);
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.close();
      expect(String(s)).toBe(py);
    },
  );
});
