// The three modes (blocking / non-blocking / timeout): setblocking, settimeout, gettimeout,
// getblocking, the default timeout, and the real O_NONBLOCK flag on the descriptor, read from
// /proc/self/fdinfo. CPython: any timeout other than None puts the fd in O_NONBLOCK.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { python } from "../helpers/peer.ts";
import {
  fdCloexec,
  fdNonBlocking as fdNb,
  HAS_SOCK_TYPE_FLAGS,
  lacks,
  NO_SOCK_TYPE_FLAGS,
} from "../helpers/platform.ts";

// The descriptor's own flag: /proc/self/fdinfo on Linux; elsewhere what the platform layer reports
// (Winsock cannot read FIONBIO back).
const fdNonBlocking = (s: socket.socket): boolean => fdNb(s.fileno());

/** The exception `fn` throws; fails the test when it returns normally. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception, none was thrown");
}

/**
 * CPython's NonBlockingTCPTests.assert_sock_timeout / NonblockConstantTest.checkNonblock:
 * gettimeout, getblocking (timeout != 0) and the fd flag (non-blocking unless timeout is None).
 */
function assertMode(s: socket.socket, timeout: number | null): void {
  expect(s.gettimeout()).toBe(timeout);
  expect(s.timeout).toBe(timeout);
  expect(s.getblocking()).toBe(timeout !== 0);
  expect(fdNonBlocking(s)).toBe(timeout !== null);
  expect(s.type).toBe(socket.SOCK_STREAM);
}

/** An error class, as `toBeInstanceOf` takes it. */
type ErrorClass = abstract new (...args: never[]) => Error;

const opened: socket.socket[] = [];
function track<T extends socket.socket>(s: T): T {
  opened.push(s);
  return s;
}

beforeEach(() => {
  socket.setdefaulttimeout(null);
});
afterEach(() => {
  socket.setdefaulttimeout(null);
  for (const s of opened.splice(0)) s.close();
});

describe("setblocking / settimeout matrix", () => {
  test("a new socket is blocking: timeout null, fd blocking", () => {
    const s = track(socket.socket());
    assertMode(s, null);
  });

  test("the testSetBlocking sequence, fd flag included (NonBlockingTCPTests.testSetBlocking)", () => {
    const s = track(socket.socket());
    s.setblocking(true);
    assertMode(s, null);
    s.setblocking(false);
    assertMode(s, 0);
    s.settimeout(null);
    assertMode(s, null);
    s.settimeout(0);
    assertMode(s, 0);
    s.settimeout(10);
    assertMode(s, 10);
    s.settimeout(0);
    assertMode(s, 0);
  });

  test.skipIf(lacks(HAS_SOCK_TYPE_FLAGS, NO_SOCK_TYPE_FLAGS))(
    "the test_SOCK_NONBLOCK sequence (NonblockConstantTest)",
    () => {
      const s = track(
        socket.socket(
          socket.AF_INET,
          socket.SOCK_STREAM | socket.SOCK_NONBLOCK,
        ),
      );
      assertMode(s, 0);
      s.setblocking(true);
      assertMode(s, null);
      s.setblocking(false);
      assertMode(s, 0);
      s.settimeout(null);
      assertMode(s, null);
      s.settimeout(2.0);
      assertMode(s, 2);
      s.setblocking(true);
      assertMode(s, null);
    },
  );

  // [from, to] over all three modes: every transition leaves exactly the target state.
  const MODES: (number | null)[] = [null, 0, 0.5, 7];
  for (const from of MODES)
    for (const to of MODES)
      test(`settimeout(${from}) then settimeout(${to})`, () => {
        const s = track(socket.socket());
        s.settimeout(from);
        assertMode(s, from);
        s.settimeout(to);
        assertMode(s, to);
      });

  test("setblocking takes any truthy / falsy value, as Python's bool()", () => {
    const s = track(socket.socket());
    const sb = s.setblocking as (flag: unknown) => void;
    sb.call(s, 0);
    assertMode(s, 0);
    sb.call(s, 5);
    assertMode(s, null);
    sb.call(s, null);
    assertMode(s, 0);
    sb.call(s, "x");
    assertMode(s, null);
  });

  test("settimeout(-0) is non-blocking 0 and an integer timeout is kept", () => {
    const s = track(socket.socket());
    s.settimeout(-0);
    assertMode(s, 0);
    expect(Object.is(s.gettimeout(), 0)).toBe(true);
    s.settimeout(3);
    assertMode(s, 3);
  });

  test("timeouts read back as CPython's (whole nanoseconds, rounded up)", () => {
    const values = [
      0.1, 0.3, 1.1, 2.5, 1e-10, 1.23456789012, 0.000001, 3.3, 12345.678901234,
    ];
    const py = python<number[]>(`
import json, socket
s = socket.socket()
out = []
for v in ${JSON.stringify(values)}:
    s.settimeout(v)
    out.append(s.gettimeout())
print(json.dumps(out))
`);
    const s = track(socket.socket());
    const ours = values.map((v) => {
      s.settimeout(v);
      return s.gettimeout();
    });
    expect(ours).toEqual(py);
    expect(ours[4]).toBe(1e-9);
  });
});

describe("settimeout argument errors", () => {
  const cases: [string, unknown, ErrorClass, string][] = [
    ["-1", -1, socket.ValueError, "Timeout value out of range"],
    ["-0.5", -0.5, socket.ValueError, "Timeout value out of range"],
    ["NaN", NaN, socket.ValueError, "Invalid value NaN (not a number)"],
    [
      "Infinity",
      Infinity,
      socket.OverflowError,
      "timestamp out of range for platform time_t",
    ],
    [
      "-Infinity",
      -Infinity,
      socket.OverflowError,
      "timestamp out of range for platform time_t",
    ],
    [
      "1e10",
      1e10,
      socket.OverflowError,
      "timestamp out of range for platform time_t",
    ],
    [
      "'spam'",
      "spam",
      TypeError,
      "'str' object cannot be interpreted as an integer",
    ],
  ];
  for (const [label, value, cls, msg] of cases) {
    test(`settimeout(${label}) raises ${cls.name} and leaves the mode unchanged`, () => {
      const s = track(socket.socket());
      s.settimeout(2.5);
      const e = thrown(() => s.settimeout(value as number));
      expect(e).toBeInstanceOf(cls);
      if (cls !== TypeError) expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(msg);
      assertMode(s, 2.5);
    });
  }
});

describe("default timeout", () => {
  test("starts as null and new sockets are blocking (testDefaultTimeout)", () => {
    expect(socket.getdefaulttimeout()).toBeNull();
    const s = track(socket.socket());
    assertMode(s, null);
  });

  test("setdefaulttimeout(10) propagates to new sockets, fd non-blocking", () => {
    socket.setdefaulttimeout(10);
    expect(socket.getdefaulttimeout()).toBe(10);
    const s = track(socket.socket());
    assertMode(s, 10);
    const u = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
    expect(u.gettimeout()).toBe(10);
    expect(fdNonBlocking(u)).toBe(true);
  });

  test("setdefaulttimeout(0) gives non-blocking sockets", () => {
    socket.setdefaulttimeout(0);
    expect(socket.getdefaulttimeout()).toBe(0);
    assertMode(track(socket.socket()), 0);
  });

  test("setdefaulttimeout(null) after a value restores blocking sockets", () => {
    socket.setdefaulttimeout(3);
    assertMode(track(socket.socket()), 3);
    socket.setdefaulttimeout(null);
    expect(socket.getdefaulttimeout()).toBeNull();
    assertMode(track(socket.socket()), null);
  });

  test("the default does not change existing sockets", () => {
    const s = track(socket.socket());
    socket.setdefaulttimeout(4);
    assertMode(s, null);
  });

  test.skipIf(lacks(HAS_SOCK_TYPE_FLAGS, NO_SOCK_TYPE_FLAGS))(
    "SOCK_NONBLOCK wins over the default timeout",
    () => {
      socket.setdefaulttimeout(5);
      const s = track(
        socket.socket(
          socket.AF_INET,
          socket.SOCK_STREAM | socket.SOCK_NONBLOCK,
        ),
      );
      assertMode(s, 0);
    },
  );

  test("socket(fileno=fd) takes the default timeout and makes the fd non-blocking", () => {
    const fd = socket.socket().detach();
    socket.setdefaulttimeout(3);
    const s = track(socket.socket(undefined, undefined, undefined, fd));
    assertMode(s, 3);
  });

  test("dup() copies the socket's own timeout, not the default", () => {
    socket.setdefaulttimeout(5);
    const s = track(socket.socket());
    s.settimeout(null);
    const d = track(s.dup());
    assertMode(d, null);
    s.settimeout(0);
    assertMode(track(s.dup()), 0);
  });

  const errors: [string, unknown, ErrorClass, string][] = [
    ["-1", -1, socket.ValueError, "Timeout value out of range"],
    [
      "'spam'",
      "spam",
      TypeError,
      "'str' object cannot be interpreted as an integer",
    ],
    ["NaN", NaN, socket.ValueError, "Invalid value NaN (not a number)"],
    [
      "Infinity",
      Infinity,
      socket.OverflowError,
      "timestamp out of range for platform time_t",
    ],
  ];
  for (const [label, value, cls, msg] of errors) {
    test(`setdefaulttimeout(${label}) raises ${cls.name} and keeps the default (testDefaultTimeout)`, () => {
      socket.setdefaulttimeout(7);
      const e = thrown(() => socket.setdefaulttimeout(value as number));
      expect(e).toBeInstanceOf(cls);
      expect(e.message).toBe(msg);
      expect(socket.getdefaulttimeout()).toBe(7);
    });
  }
});

describe("accepted sockets (bpo-7995)", () => {
  /**
   * A listener in `listenerTimeout` mode with one client already connected (the connection
   * completes in the backlog), so accept() returns at once; the listener's timeout bounds it.
   */
  function acceptOne(listenerTimeout: number): socket.socket {
    const srv = track(socket.socket());
    srv.settimeout(2);
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const c = track(socket.socket());
    c.settimeout(2);
    c.connect(srv.getsockname() as [string, number]);
    srv.settimeout(listenerTimeout);
    const [conn, addr] = srv.accept();
    track(conn);
    expect(addr).toEqual(c.getsockname());
    return conn;
  }

  test("listener with a timeout, default null: the accepted socket is blocking (testInheritFlagsBlocking)", () => {
    const conn = acceptOne(1);
    assertMode(conn, null);
    expect(fdCloexec(conn.fileno())).toBe(true);
    expect(conn.get_inheritable()).toBe(false);
  });

  test("non-blocking listener, default null: the accepted socket is blocking", () => {
    assertMode(acceptOne(0), null);
  });

  test("default 2: the accepted socket has timeout 2 and a non-blocking fd (testInheritFlagsTimeout)", () => {
    socket.setdefaulttimeout(2);
    assertMode(acceptOne(1), 2);
  });

  test("default 0: the accepted socket is non-blocking", () => {
    socket.setdefaulttimeout(0);
    assertMode(acceptOne(1), 0);
  });

  test("the accepted socket keeps family, type and proto of the listener", () => {
    const conn = acceptOne(1);
    expect([conn.family, conn.type, conn.proto]).toEqual([
      socket.AF_INET,
      socket.SOCK_STREAM,
      0,
    ]);
  });
});
