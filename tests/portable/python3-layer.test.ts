// The Python 3 layer (create_connection, create_server, socketpair, makefile, sendall, sendfile, dup, detach,
// fromfd), written to hold on every OS: the checks use names and classes, not one OS's numbers. These run in
// `npm test` and in the Windows run under Wine (`npm run test:windows`).
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as errno from "../../src/errno.ts";
import { plat } from "../../src/ffi/index.ts";
import * as socket from "../../src/index.ts";
import { killAllPeers, sourcePattern, startPeer } from "../helpers/peer.ts";
import { lacks, NO_PEER_REASON, PEERS_AVAILABLE } from "../helpers/platform.ts";
import {
  portOf,
  randomBytes,
  raises,
  recvUntilEof,
  sha256,
  sock,
  tcpListener,
  tcpPair,
} from "../helpers/sockets.ts";

afterEach(killAllPeers);

describe("create_connection and create_server", () => {
  test("create_connection reaches a server made by create_server, with the timeout given", () => {
    using srv = socket.create_server(["127.0.0.1", 0]);
    srv.settimeout(5);
    using c = socket.create_connection(["127.0.0.1", portOf(srv)], 3);
    expect(c.gettimeout()).toBe(3);
    expect(c.family).toBe(socket.AF_INET);
    const [conn, addr] = srv.accept();
    using _conn = conn;
    expect(addr).toEqual(c.getsockname());
    c.sendall("hello");
    conn.settimeout(5);
    expect(conn.recv(10).toString()).toBe("hello");
  });

  test("create_connection binds source_address first", () => {
    using srv = tcpListener();
    using c = socket.create_connection(["127.0.0.1", portOf(srv)], 5, [
      "127.0.0.1",
      0,
    ]);
    const [conn] = srv.accept();
    conn.close();
    expect((c.getsockname() as [string, number])[0]).toBe("127.0.0.1");
  });

  test("create_connection to a closed port raises ConnectionRefusedError (ECONNREFUSED of this OS)", () => {
    using holder = sock();
    holder.bind(["127.0.0.1", 0]); // bound, not listening: refused
    const e = raises(() =>
      socket.create_connection(["127.0.0.1", portOf(holder)], 5),
    );
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e.errno).toBe(errno.ECONNREFUSED);
    expect(e.code).toBe("ECONNREFUSED");
    // Windows: CPython's form, [WinError 10061] with winerror set.
    if (plat.features.winerror) {
      expect(e.winerror).toBe(e.errno!);
      expect(e.message.startsWith(`[WinError ${e.errno}] `)).toBe(true);
    } else {
      expect(e.winerror).toBeUndefined();
      expect(e.message.startsWith(`[Errno ${e.errno}] `)).toBe(true);
    }
  });

  test("create_server on an address in use raises an OSError naming the address, as CPython", () => {
    using a = socket.create_server(["127.0.0.1", 0]);
    const port = portOf(a);
    const e = raises(() => socket.create_server(["127.0.0.1", port]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(errno.EADDRINUSE);
    expect(e.message).toContain(
      `(while attempting to bind on address ('127.0.0.1', ${port}))`,
    );
  });

  test("create_server(AF_INET6) listens on ::1 and takes a connection", () => {
    if (!socket.has_ipv6) return;
    using srv = socket.create_server(["::1", 0], {
      family: socket.AF_INET6,
    });
    srv.settimeout(5);
    using c = socket.create_connection(["::1", portOf(srv)], 5);
    const [conn] = srv.accept();
    conn.close();
    expect(c.family).toBe(socket.AF_INET6);
    expect(srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(1);
  });
});

describe("socketpair", () => {
  test("two connected sockets of the default family; data flows both ways", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.settimeout(5);
    b.settimeout(5);
    // AF_UNIX where the OS has socketpair(); CPython's loopback-TCP fallback (AF_INET) elsewhere.
    expect(a.family).toBe(
      plat.features.socketpair ? socket.AF_UNIX : socket.AF_INET,
    );
    expect(a.type).toBe(socket.SOCK_STREAM);
    a.sendall("ping");
    expect(b.recv(10).toString()).toBe("ping");
    b.sendall("pong");
    expect(a.recv(10).toString()).toBe("pong");
    a.close();
    expect(b.recv(10).length).toBe(0);
  });

  test.skipIf(
    lacks(
      !plat.features.socketpair,
      "socketpair() is native here (the emulation's argument checks are Windows-only)",
    ),
  )(
    "the loopback emulation takes SOCK_STREAM and protocol 0 only, as CPython's _fallback_socketpair",
    () => {
      // The two ends are each other's peer (the emulation checks that against a stranger's connection).
      const [a, b] = socket.socketpair(socket.AF_INET);
      using _a = a;
      using _b = b;
      expect(a.getpeername()).toEqual(b.getsockname());
      expect(b.getpeername()).toEqual(a.getsockname());
      expect(a.get_inheritable()).toBe(false);
      expect(b.get_inheritable()).toBe(false);
      expect(() =>
        socket.socketpair(socket.AF_INET, socket.SOCK_DGRAM),
      ).toThrow(
        new socket.ValueError("Only SOCK_STREAM socket type is supported"),
      );
      expect(() =>
        socket.socketpair(socket.AF_INET, socket.SOCK_STREAM, 6),
      ).toThrow(new socket.ValueError("Only protocol zero is supported"));
      expect(() => socket.socketpair(socket.AF_UNIX)).toThrow(
        new socket.ValueError(
          "Only AF_INET and AF_INET6 socket address families are supported",
        ),
      );
    },
  );
});

describe("makefile", () => {
  test("a binary read/write file pair: write, flush, readline, read", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    const w = c.makefile("wb") as socket.BufferedSocketFile;
    const r = conn.makefile("rb") as socket.BufferedSocketFile;
    w.write(Buffer.from("line one\nline two\nrest"));
    w.flush();
    w.close();
    c.shutdown(socket.SHUT_WR);
    expect(String(r.readline())).toBe("line one\n");
    expect(String(r.readline())).toBe("line two\n");
    expect(String(r.read())).toBe("rest");
    r.close();
  });

  test("a text file decodes UTF-8 and iterates lines", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.sendall("grüße\nzweite\n");
    c.shutdown(socket.SHUT_WR);
    const f = conn.makefile("r", null, { encoding: "utf-8" });
    const lines: string[] = [];
    for (const line of f as Iterable<string>) lines.push(line);
    expect(lines).toEqual(["grüße\n", "zweite\n"]);
    f.close();
  });

  test("the socket stays open until the socket and its file are both closed", () => {
    const [c, conn] = tcpPair();
    using _conn = conn;
    const f = c.makefile("wb") as socket.BufferedSocketFile;
    c.close();
    expect(c.fileno()).not.toBe(-1); // the file still holds it
    f.write(Buffer.from("after close"));
    f.flush();
    f.close();
    expect(c.fileno()).toBe(-1);
    expect(recvUntilEof(conn).toString()).toBe("after close");
  });
});

describe("bulk data", () => {
  test.skipIf(lacks(PEERS_AVAILABLE, NO_PEER_REASON))(
    "sendall of 1 MB reaches Python's sink intact (sha256)",
    async () => {
      const peer = await startPeer(["sink"]);
      using c = sock();
      c.connect(["127.0.0.1", peer.port]);
      const data = randomBytes(1 << 20);
      c.sendall(data);
      c.shutdown(socket.SHUT_WR);
      const r = await peer.result<{ received: number; sha256: string }>();
      expect(r).toEqual({ received: data.length, sha256: sha256(data) });
    },
    30_000,
  );

  test.skipIf(lacks(PEERS_AVAILABLE, NO_PEER_REASON))(
    "recv_into from Python's source fills our buffer with its pattern",
    async () => {
      const n = 200_000;
      const peer = await startPeer(["source", "--bytes", String(n)]);
      using c = sock();
      c.connect(["127.0.0.1", peer.port]);
      const buf = new Uint8Array(n);
      let off = 0;
      for (;;) {
        const got = c.recv_into(buf.subarray(off));
        if (got === 0) break;
        off += got;
      }
      expect(off).toBe(n);
      expect(Buffer.from(buf).equals(sourcePattern(n))).toBe(true);
    },
    30_000,
  );

  test.skipIf(lacks(PEERS_AVAILABLE, NO_PEER_REASON))(
    "sendfile of a file (the OS call where there is one, else CPython's read + send loop) reaches Python's sink",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "bs-sf-"));
      try {
        const path = join(dir, "data.bin");
        const data = randomBytes(300_000);
        writeFileSync(path, data);
        const peer = await startPeer(["sink"]);
        using c = sock();
        c.connect(["127.0.0.1", peer.port]);
        expect(c.sendfile(Bun.file(path))).toBe(data.length);
        c.shutdown(socket.SHUT_WR);
        const r = await peer.result<{ received: number; sha256: string }>();
        expect(r).toEqual({ received: data.length, sha256: sha256(data) });
      } finally {
        try {
          rmSync(dir, { recursive: true, force: true });
        } catch {
          // best effort (bun.exe under Wine fails recursive rm with EFAULT)
        }
      }
    },
    30_000,
  );
});

describe("descriptors: dup, detach, fromfd", () => {
  test("dup is a second, non-inheritable handle on the same socket", () => {
    const [c, conn] = tcpPair();
    using _conn = conn;
    const d = c.dup();
    using _d = d;
    expect(d.fileno()).not.toBe(c.fileno());
    expect(d.get_inheritable()).toBe(false);
    c.close();
    d.sendall("via dup");
    expect(conn.recv(20).toString()).toBe("via dup");
  });

  test("detach hands over the descriptor; socket(fileno=) adopts it with family, type and protocol", () => {
    const s = socket.socket(
      socket.AF_INET,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    );
    s.bind(["127.0.0.1", 0]);
    const addr = s.getsockname();
    const fd = s.detach();
    using again = socket.socket(null, null, null, fd);
    expect([again.family, again.type, again.proto]).toEqual([
      socket.AF_INET,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    ]);
    expect(again.getsockname()).toEqual(addr);
  });

  test("fromfd duplicates: closing the original leaves the copy working", () => {
    using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    u.bind(["127.0.0.1", 0]);
    const copy = socket.fromfd(u.fileno(), socket.AF_INET, socket.SOCK_DGRAM);
    using _copy = copy;
    copy.settimeout(5);
    const addr = u.getsockname() as [string, number];
    u.close();
    using tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    tx.sendto("to the copy", addr);
    expect(copy.recv(20).toString()).toBe("to the copy");
  });

  test("operations on a closed socket raise the error CPython raises on this OS", () => {
    const s = socket.socket();
    s.close();
    const e = raises(() => s.getsockname());
    expect(e.constructor).toBe(socket.OSError);
    // EBADF on POSIX; Windows: WSAENOTSOCK (CPython hands INVALID_SOCKET to Winsock).
    expect(e.errno).toBe(plat.errnos[plat.features.closedSocket]);
    expect(e.code).toBe(plat.features.closedSocket);
    expect(s.connect_ex(["127.0.0.1", 9])).toBe(e.errno!);
  });
});
