// Winsock semantics as CPython on Windows shows them: WinError codes and messages, the class table for WSA
// codes, SOCKET values, SO_RCVTIMEO in milliseconds, share/fromshare, and the start-up self-test. Runs where
// the platform reports Windows error codes (`plat.features.winerror`: the Windows run under Wine); the
// self-test and the POSIX counterparts run everywhere.
import { describe, expect, test } from "bun:test";
import * as errno from "../../src/errno.ts";
import { plat } from "../../src/ffi/index.ts";
import * as socket from "../../src/index.ts";
import {
  errnoCheck,
  importCheck,
  selfTest,
} from "../../src/platform/selftest.ts";
import { lacks } from "../helpers/platform.ts";
import { portOf, raises, sock, tcpPair } from "../helpers/sockets.ts";

const WINSOCK = plat.features.winerror;
const NOT_WINSOCK = "Winsock semantics (WinError codes): not this OS";

describe("the start-up self-test", () => {
  test("passes on this OS (mode round trip and one loopback datagram to itself), cheaply", () => {
    const t0 = Bun.nanoseconds();
    expect(() => selfTest()).not.toThrow();
    // Linux: well under a millisecond warm; Wine's socket calls are ~40 times slower.
    expect((Bun.nanoseconds() - t0) / 1e6).toBeLessThan(WINSOCK ? 500 : 50);
  });

  test("the import runs it, except on Linux x86-64 (the errno check only) unless BUN_SOCKET_SELFTEST=1", () => {
    const linuxX64 = plat.features.os === "linux" && plat.arch === "x64";
    expect(importCheck).toBe(
      linuxX64 && process.env.BUN_SOCKET_SELFTEST !== "1" ? "errno" : "full",
    );
    if (importCheck === "full") return;
    const mod = new URL("../../src/platform/selftest.ts", import.meta.url)
      .pathname;
    const r = Bun.spawnSync({
      cmd: [
        process.execPath,
        "-e",
        `import { importCheck } from ${JSON.stringify(mod)}; console.log(importCheck);`,
      ],
      env: { ...process.env, BUN_SOCKET_SELFTEST: "1" },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 30_000,
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString().trim()).toBe("full");
  });

  test("the errno check passes, and fails with an error naming the platform when errno is lost", () => {
    expect(() => errnoCheck()).not.toThrow();
    const real = plat.sys.lastError;
    plat.sys.lastError = () => 0;
    try {
      expect(() => errnoCheck()).toThrow(
        `bun-socket: the ${plat.features.os}/${plat.arch} platform layer failed its start-up self-test: close(-1) returned 0`,
      );
    } finally {
      plat.sys.lastError = real;
    }
  });

  test("a binding that unpacks the sender's address wrong fails it", () => {
    const real = plat.sys.recvfrom;
    // Garble the address recvfrom() wrote: the port bytes (big-endian, offset 2) no longer match.
    plat.sys.recvfrom = ((fd, buf, n, flags, addr, len) => {
      const r = real(fd, buf, n, flags, addr, len);
      if (r > 0) (addr as Uint8Array)[2]! ^= 0xff;
      return r;
    }) as typeof real;
    try {
      expect(() => selfTest()).toThrow("reported the sender as family");
    } finally {
      plat.sys.recvfrom = real;
    }
  });

  test("a binding that reads the mode back wrong fails it with an error naming the platform", () => {
    const real = plat.sys.getNonBlocking;
    plat.sys.getNonBlocking = () => 0;
    try {
      expect(() => selfTest()).toThrow(
        `bun-socket: the ${plat.features.os}/${plat.arch} platform layer failed its start-up self-test`,
      );
    } finally {
      plat.sys.getNonBlocking = real;
    }
  });
});

describe.skipIf(lacks(WINSOCK, NOT_WINSOCK))(
  "Winsock errors, as CPython on Windows",
  () => {
    test("a refused connect: ConnectionRefusedError, errno = winerror = 10061, '[WinError 10061] ...'", () => {
      using holder = sock();
      holder.bind(["127.0.0.1", 0]);
      using c = sock();
      const e = raises(() => c.connect(["127.0.0.1", portOf(holder)]));
      expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
      expect([e.errno, e.winerror, e.code]).toEqual([
        10061,
        10061,
        "ECONNREFUSED",
      ]);
      expect(e.message).toBe(`[WinError 10061] ${e.strerror}`);
      expect(e.strerror!.length).toBeGreaterThan(0);
      expect(e.args).toEqual([10061, e.strerror, null, 10061, null]);
    });

    test("a non-blocking recv with no data: BlockingIOError 10035 (WSAEWOULDBLOCK)", () => {
      const [c, conn] = tcpPair();
      using _c = c;
      using _conn = conn;
      conn.setblocking(false);
      const e = raises(() => conn.recv(10));
      expect(e).toBeInstanceOf(socket.BlockingIOError);
      expect([e.errno, e.winerror]).toEqual([10035, 10035]);
      expect(errno.EWOULDBLOCK).toBe(10035);
      expect(errno.errorcode[10035]).toBe("WSAEWOULDBLOCK");
    });

    test("a non-blocking connect reports WSAEWOULDBLOCK (CPython's SOCK_INPROGRESS_ERR), not EINPROGRESS", () => {
      using srv = sock();
      srv.bind(["127.0.0.1", 0]);
      srv.listen();
      using c = sock();
      c.setblocking(false);
      const e = raises(() => c.connect(["127.0.0.1", portOf(srv)]));
      expect(e).toBeInstanceOf(socket.BlockingIOError);
      expect(e.errno).toBe(10035);
      const [conn] = srv.accept();
      conn.close();
    });

    test("the class table follows CPython's errnomap for WSA codes", () => {
      const cases: [number, string][] = [
        [10035, "BlockingIOError"],
        [10036, "BlockingIOError"],
        [10037, "BlockingIOError"],
        [10053, "ConnectionAbortedError"],
        [10054, "ConnectionResetError"],
        [10058, "BrokenPipeError"],
        [10060, "TimeoutError"],
        [10061, "ConnectionRefusedError"],
        // WSAEINTR and WSAEACCES are not EINTR/EACCES on Windows (those are the C runtime's 4 and 13).
        [10004, "OSError"],
        [10013, "OSError"],
        [4, "InterruptedError"],
        [13, "PermissionError"],
      ];
      for (const [code, cls] of cases)
        expect([code, new socket.OSError(code, "x").name]).toEqual([code, cls]);
    });

    test("messages come from FormatMessageW, or our own text where the system has none", () => {
      for (const code of [10035, 10038, 10047, 10048, 10060, 10061]) {
        const e = new socket.OSError(code, "x", null, code);
        expect(e.message).toBe(`[WinError ${code}] x`);
      }
      const s = socket.socket();
      s.close();
      const e = raises(() => s.recv(1));
      expect([e.errno, e.winerror, e.code]).toEqual([10038, 10038, "ENOTSOCK"]);
      expect(e.strerror).not.toMatch(/^Windows Error/);
      expect(e.strerror!.length).toBeGreaterThan(10);
    });

    test("gaierror reads '[Errno 11001] getaddrinfo failed' (Windows has no gai_strerror)", () => {
      let err: unknown;
      try {
        socket.getaddrinfo("localhost", 80, 0, 0, 0, socket.AI_NUMERICHOST);
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).toBe("[Errno 11001] getaddrinfo failed");
    });
  },
);

describe.skipIf(lacks(WINSOCK, NOT_WINSOCK))("Winsock sockets", () => {
  test("fileno() is the SOCKET handle value", () => {
    using s = socket.socket();
    expect(s.fileno()).toBeGreaterThan(0);
    expect(Number.isInteger(s.fileno())).toBe(true);
  });

  test("SO_RCVTIMEO takes a DWORD of milliseconds; its expiry is TimeoutError 10060 (WSAETIMEDOUT)", () => {
    expect(plat.features.sockoptTimeoutMs).toBe(true);
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    conn.settimeout(null); // blocking: the OS timeout applies
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 200);
    expect(conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO)).toBe(200);
    const t0 = Bun.nanoseconds();
    const e = raises(() => conn.recv(10));
    const s = (Bun.nanoseconds() - t0) / 1e9;
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect([e.errno, e.winerror]).toEqual([10060, 10060]);
    expect(s).toBeGreaterThanOrEqual(0.15);
    expect(s).toBeLessThan(3);
  });

  test("share(pid) and fromshare(data) give a second socket on the same connection", () => {
    const [c, conn] = tcpPair();
    using _conn = conn;
    const blob = c.share(process.pid);
    expect(blob.length).toBe(plat.layout.protocolInfoSize!);
    const copy = socket.fromshare(blob);
    using _copy = copy;
    expect([copy.family, copy.type, copy.proto]).toEqual([
      socket.AF_INET,
      socket.SOCK_STREAM,
      socket.IPPROTO_TCP,
    ]);
    c.close();
    copy.sendall("shared");
    expect(conn.recv(20).toString()).toBe("shared");
  });

  test("socket(fileno=) of an unbound socket learns its protocol from SO_PROTOCOL_INFOW", () => {
    const u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    const fd = u.detach();
    using a = socket.socket(null, null, null, fd);
    expect([a.family, a.type, a.proto]).toEqual([
      socket.AF_INET6,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    ]);
  });

  test("no sendmsg/recvmsg in Winsock's BSD API: they raise WSAEOPNOTSUPP", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    const e = raises(() => c.sendmsg([Buffer.from("x")]));
    expect([e.errno, e.code]).toEqual([10045, "EOPNOTSUPP"]);
  });
});

describe.skipIf(lacks(!WINSOCK, "POSIX only: Windows has share()"))(
  "share/fromshare elsewhere",
  () => {
    test("raise OSError EOPNOTSUPP (CPython: no such names)", () => {
      using s = socket.socket();
      expect(() => s.share(1)).toThrow(socket.OSError);
      expect(() => socket.fromshare(Buffer.alloc(628))).toThrow(socket.OSError);
    });
  },
);
