// Socket options: table-driven setsockopt-then-getsockopt round trips checked against CPython on
// this machine, the bytes forms, the 4-argument NULL form, read-only options and listen().
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import * as errno from "../../src/errno.ts";
import { plat } from "../../src/ffi/index.ts";
import { python } from "../helpers/peer.ts";
import {
  HAS_AF_UNIX,
  INPROGRESS,
  lacks,
  LINUX_ERRNOS,
  NO_LINUX_ERRNOS,
  NO_SAME_OS_ORACLE,
  ORACLE_SAME_OS,
} from "../helpers/platform.ts";

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

const ECONNREFUSED = errno.ECONNREFUSED;
const EINPROGRESS = INPROGRESS; // Winsock: WSAEWOULDBLOCK

/** Whether this OS's socket module has constant `name` (Python: hasattr(socket, name)). */
const has = (name: string): boolean =>
  typeof (socket as unknown as Record<string, unknown>)[name] === "number";

/** Whether the OS's stack takes option `level.opt` on a fresh (family, type) socket (not ENOPROTOOPT). */
function settable(r: Row): boolean {
  if (!has(r.opt)) return false;
  const s = socket.socket(num(r.family), num(r.type));
  try {
    s.setsockopt(num(r.level), num(r.opt), r.value);
    return true;
  } catch (e) {
    if (e instanceof socket.OSError && e.errno === errno.ENOPROTOOPT)
      return false;
    return true; // another error: let the test report it
  } finally {
    s.close();
  }
}

const num = (name: string): number => {
  const v = (socket as unknown as Record<string, unknown>)[name];
  if (typeof v !== "number") throw new Error(`socket.${name} is missing`);
  return v;
};

const opened: socket.socket[] = [];
/** A socket closed after the test, with a 2 s timeout so nothing can hang. */
function sock(family = socket.AF_INET, type = socket.SOCK_STREAM) {
  const s = socket.socket(family, type);
  opened.push(s);
  s.settimeout(2);
  return s;
}
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

/** One round trip: on a fresh (family, type) socket, set `level.opt` to `value`, read it back. */
interface Row {
  family: "AF_INET" | "AF_INET6";
  type: "SOCK_STREAM" | "SOCK_DGRAM";
  level: string;
  opt: string;
  value: number;
  /** "eq": read back exactly; "ge": the kernel may round up (SO_RCVBUF/SO_SNDBUF are doubled). */
  check: "eq" | "ge" | "nonzero";
}
const row = (
  family: Row["family"],
  type: Row["type"],
  level: string,
  opt: string,
  value: number,
  check: Row["check"] = "eq",
): Row => ({ family, type, level, opt, value, check });

const ROWS: Row[] = [
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", 1),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", 0),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", 7, "nonzero"),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_REUSEPORT", 1),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_KEEPALIVE", 1),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_KEEPALIVE", 0),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_OOBINLINE", 1),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_RCVLOWAT", 10),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_PRIORITY", 3),
  row("AF_INET", "SOCK_DGRAM", "SOL_SOCKET", "SO_BROADCAST", 1),
  row("AF_INET", "SOCK_DGRAM", "SOL_SOCKET", "SO_BROADCAST", 0),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_RCVBUF", 8192, "ge"),
  row("AF_INET", "SOCK_STREAM", "SOL_SOCKET", "SO_SNDBUF", 16384, "ge"),
  row("AF_INET", "SOCK_DGRAM", "SOL_SOCKET", "SO_RCVBUF", 4096, "ge"),
  row("AF_INET", "SOCK_DGRAM", "SOL_SOCKET", "SO_SNDBUF", 4096, "ge"),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_NODELAY", 1),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_NODELAY", 0),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_KEEPIDLE", 77),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_KEEPINTVL", 13),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_KEEPCNT", 4),
  row("AF_INET", "SOCK_STREAM", "IPPROTO_IP", "IP_TTL", 42),
  row("AF_INET", "SOCK_DGRAM", "IPPROTO_IP", "IP_TTL", 1),
  row("AF_INET", "SOCK_DGRAM", "IPPROTO_IP", "IP_TOS", 0x10),
  row("AF_INET", "SOCK_DGRAM", "IPPROTO_IP", "IP_MULTICAST_TTL", 5),
  row("AF_INET", "SOCK_DGRAM", "IPPROTO_IP", "IP_MULTICAST_LOOP", 0),
  row("AF_INET6", "SOCK_STREAM", "IPPROTO_IPV6", "IPV6_V6ONLY", 1),
  row("AF_INET6", "SOCK_STREAM", "IPPROTO_IPV6", "IPV6_V6ONLY", 0),
  row("AF_INET6", "SOCK_DGRAM", "IPPROTO_IPV6", "IPV6_V6ONLY", 1),
  row("AF_INET6", "SOCK_DGRAM", "IPPROTO_IPV6", "IPV6_UNICAST_HOPS", 33),
  row("AF_INET6", "SOCK_STREAM", "IPPROTO_TCP", "TCP_NODELAY", 1),
];

// CPython's read-back for every row, measured once on this machine (only when the oracle's OS is ours).
const PY_READBACK = !ORACLE_SAME_OS
  ? []
  : python<number[]>(`
import json, socket
rows = json.loads(${JSON.stringify(JSON.stringify(ROWS))})
out = []
for r in rows:
    s = socket.socket(getattr(socket, r["family"]), getattr(socket, r["type"]))
    level, opt = getattr(socket, r["level"]), getattr(socket, r["opt"])
    s.setsockopt(level, opt, r["value"])
    out.append(s.getsockopt(level, opt))
    s.close()
print(json.dumps(out))
`);

describe("setsockopt then getsockopt (socket2-style round trips)", () => {
  ROWS.forEach((r, i) => {
    test.skipIf(
      lacks(has(r.opt), `socket.${r.opt} does not exist on this OS`) ||
        lacks(
          settable(r),
          `${r.opt} is not supported by this TCP/IP stack (ENOPROTOOPT)`,
        ),
    )(
      `${r.family} ${r.type} ${r.opt} = ${r.value} reads back as CPython reads it`,
      () => {
        const s = sock(num(r.family), num(r.type));
        const level = num(r.level);
        const opt = num(r.opt);
        s.setsockopt(level, opt, r.value);
        const got = s.getsockopt(level, opt);
        if (ORACLE_SAME_OS) expect(got).toBe(PY_READBACK[i]!);
        if (r.check === "eq") expect(got).toBe(r.value);
        else if (r.check === "ge") expect(got).toBeGreaterThanOrEqual(r.value);
        else expect(got).not.toBe(0);
      },
    );
  });

  test("a fresh socket has SO_REUSEADDR off (testGetSockOpt) and setting it turns it on (testSetSockOpt)", () => {
    const s = sock();
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(0);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).not.toBe(0);
  });

  test("booleans are accepted as 1 and 0", () => {
    const s = sock();
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, true);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)).toBe(1);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, false);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)).toBe(0);
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
    expect(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)).toBe(1);
  });

  test("a negative int is passed as a C int (-1 turns a flag on, as in CPython)", () => {
    const s = sock();
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, -1);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(1);
  });

  test.skipIf(lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
    "an option the kernel rejects raises OSError with its errno",
    () => {
      const s = sock();
      // IP_TTL must be 1..255 (CPython: [Errno 22] Invalid argument).
      expectErrno(
        () => s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 0),
        22,
        "[Errno 22] Invalid argument",
      );
      expectErrno(
        () => s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 256),
        22,
      );
      // An unknown option, and an IPv6 option on an AF_INET socket: ENOPROTOOPT.
      expectErrno(
        () => s.setsockopt(socket.SOL_SOCKET, 9999, 1),
        92,
        "[Errno 92] Protocol not available",
      );
      expectErrno(
        () => s.getsockopt(socket.SOL_SOCKET, 9999),
        92,
        "[Errno 92] Protocol not available",
      );
      expectErrno(
        () => s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1),
        92,
      );
      // The failed calls changed nothing.
      expect(s.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)).toBe(64);
    },
  );
});

describe("bytes values and getsockopt(level, opt, buflen)", () => {
  // struct linger: two ints (8 bytes); Winsock: two u_shorts (4 bytes).
  const LINGER = plat.layout.linger.size;
  const linger = (onoff: number, secs: number): Buffer =>
    Buffer.from(
      (LINGER === 4
        ? new Uint16Array([onoff, secs])
        : new Int32Array([onoff, secs])
      ).buffer,
    );

  test("SO_LINGER set from packed bytes reads back as the same 8 bytes", () => {
    const s = sock();
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger(1, 5));
    const got = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER);
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got).toEqual(linger(1, 5));
    if (!ORACLE_SAME_OS) return;
    const py = python<string>(`
import json, socket, struct
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
print(json.dumps(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8).hex()))
`);
    expect(got.toString("hex")).toBe(py);
  });

  test("every bytes-like type is accepted as an option value", () => {
    const s = sock();
    const values: [string, unknown][] = [
      ["Uint8Array", new Uint8Array(linger(1, 7))],
      [
        "Int32Array",
        LINGER === 4 ? new Uint16Array([1, 7]) : new Int32Array([1, 7]),
      ],
      ["DataView", new DataView(new Uint8Array(linger(1, 7)).buffer)],
      ["ArrayBuffer", new Uint8Array(linger(1, 7)).buffer],
    ];
    for (const [, v] of values) {
      s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.alloc(LINGER));
      s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, v as Uint8Array);
      expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER)).toEqual(
        linger(1, 7),
      );
    }
  });

  test("an int option set from 4 bytes reads back as an int", () => {
    const s = sock();
    s.setsockopt(
      socket.SOL_SOCKET,
      socket.SO_REUSEADDR,
      Buffer.from(new Int32Array([1]).buffer),
    );
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(1);
  });

  test.skipIf(lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
    "a too-short bytes value is the kernel's EINVAL",
    () => {
      const s = sock();
      expectErrno(
        () =>
          s.setsockopt(
            socket.SOL_SOCKET,
            socket.SO_REUSEADDR,
            Buffer.from([1, 0]),
          ),
        22,
      );
    },
  );

  test("getsockopt with buflen returns a Buffer truncated to what the kernel wrote", () => {
    const s = sock();
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger(1, 5));
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 4)).toEqual(
      linger(1, 5).subarray(0, 4),
    );
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 100)).toEqual(
      linger(1, 5),
    );
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 1024)).toEqual(
      linger(1, 5),
    );
    const type = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4);
    expect(type).toBeInstanceOf(Buffer);
    expect(type).toEqual(Buffer.from(new Int32Array([1]).buffer));
  });

  test("getsockopt buflen 0 means an int option, as CPython 3.13", () => {
    const s = sock();
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0)).toBe(
      socket.SOCK_STREAM,
    );
  });

  test("getsockopt buflen outside 1..1024 raises OSError 'getsockopt buflen out of range'", () => {
    const s = sock();
    for (const n of [1025, -1, 4096]) {
      const e = thrown(() =>
        s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, n),
      );
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.name).toBe("OSError");
      expect(e.message).toBe("getsockopt buflen out of range");
      expect((e as socket.OSError).errno).toBeNull();
    }
  });

  test("a string value raises TypeError (no implicit UTF-8 for options)", () => {
    const s = sock();
    const e = thrown(() =>
      s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, "ab"),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("a bytes-like object is required, not 'str'");
  });

  test("a value that is neither a C int nor bytes raises CPython's TypeError", () => {
    const s = sock();
    const cases: [unknown, string][] = [
      [1.5, "a bytes-like object is required, not 'float'"],
      [null, "a bytes-like object is required, not 'NoneType'"],
      [2 ** 31, "a bytes-like object is required, not 'int'"],
      [-(2 ** 31) - 1, "a bytes-like object is required, not 'int'"],
    ];
    for (const [v, msg] of cases) {
      const e = thrown(() =>
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, v as number),
      );
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe(msg);
    }
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(0);
  });
});

describe("setsockopt(level, opt, null, optlen)", () => {
  test.skipIf(
    lacks(
      has("SO_BINDTODEVICE"),
      "socket.SO_BINDTODEVICE does not exist on this OS",
    ),
  )(
    "SO_BINDTODEVICE with NULL and length 0 clears the binding (works unprivileged)",
    () => {
      const s = sock();
      s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, null, 0);
      const dev = s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16);
      expect(dev).toEqual(Buffer.alloc(0));
    },
  );

  test.skipIf(lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
    "an int option with NULL raises the kernel's error: length 0 EINVAL, length 4 EFAULT",
    () => {
      const s = sock();
      expectErrno(
        () => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 0),
        22,
        "[Errno 22] Invalid argument",
      );
      expectErrno(
        () => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 4),
        14,
        "[Errno 14] Bad address",
      );
    },
  );

  test.skipIf(lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
    "optlen is masked to 32 bits as CPython's 'I' format: -1 reaches the kernel (EINVAL)",
    () => {
      const s = sock();
      expectErrno(
        () => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, -1),
        22,
      );
    },
  );

  test("a non-null value with optlen raises 'setsockopt() takes exactly 3 arguments (4 given)'", () => {
    const s = sock();
    const e = thrown(() =>
      (
        s.setsockopt as (l: number, o: number, v: unknown, n: number) => void
      ).call(s, socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("setsockopt() takes exactly 3 arguments (4 given)");
  });
});

describe("read-only options", () => {
  test("SO_TYPE reports the type", () => {
    expect(sock().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
      socket.SOCK_STREAM,
    );
    expect(
      sock(socket.AF_INET, socket.SOCK_DGRAM).getsockopt(
        socket.SOL_SOCKET,
        socket.SO_TYPE,
      ),
    ).toBe(socket.SOCK_DGRAM);
    if (!HAS_AF_UNIX) return; // the AF_UNIX part needs AF_UNIX
    const u = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET);
    opened.push(u);
    expect(u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
      socket.SOCK_SEQPACKET,
    );
  });

  test.skipIf(
    lacks(has("SO_DOMAIN"), "socket.SO_DOMAIN does not exist on this OS"),
  )("SO_DOMAIN and SO_PROTOCOL report family and protocol", () => {
    const s = sock(socket.AF_INET6, socket.SOCK_DGRAM);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)).toBe(
      socket.AF_INET6,
    );
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)).toBe(
      socket.IPPROTO_UDP,
    );
  });

  test("SO_ACCEPTCONN turns on with listen()", () => {
    const s = sock();
    s.bind(["127.0.0.1", 0]);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(0);
    s.listen();
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
  });

  test("SO_ERROR is 0 on a fresh socket and reports a refused non-blocking connect once", () => {
    const closed = sock();
    closed.bind(["127.0.0.1", 0]); // bound, never listening: connections are refused
    const addr = closed.getsockname() as [string, number];
    const c = sock();
    expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(0);
    c.setblocking(false);
    const r = c.connect_ex(addr);
    expect([ECONNREFUSED, EINPROGRESS]).toContain(r);
    let err = r === ECONNREFUSED ? r : 0;
    // The RST arrives on loopback at once; poll SO_ERROR for at most ~2 s.
    for (let i = 0; i < 200 && err === 0; i++) {
      err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      if (err === 0) Bun.sleepSync(10);
    }
    expect(err).toBe(ECONNREFUSED);
    // POSIX clears SO_ERROR when it is read; Winsock keeps it.
    if (!plat.features.winerror)
      expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(0);
  });
});

describe("listen backlog", () => {
  for (const backlog of [undefined, 0, -1, -5, 5]) {
    test(`listen(${backlog ?? ""}) works and accepts a connection (test_listen_backlog)`, () => {
      const srv = sock();
      srv.bind(["127.0.0.1", 0]);
      srv.listen(backlog);
      expect(srv.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
      const c = sock();
      c.connect(srv.getsockname() as [string, number]);
      const [conn, addr] = srv.accept();
      opened.push(conn);
      expect(addr).toEqual(c.getsockname());
    });
  }

  test("listen(2**31) raises OverflowError (test_listen_backlog_overflow)", () => {
    const srv = sock();
    srv.bind(["127.0.0.1", 0]);
    const e = thrown(() => srv.listen(2 ** 31));
    expect(e).toBeInstanceOf(socket.OverflowError);
    expect(e.message).toBe("signed integer is greater than maximum");
    expect(srv.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(0);
  });
});
