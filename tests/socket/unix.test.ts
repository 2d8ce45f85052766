// AF_UNIX: stream and datagram with CPython's peer, SOCK_SEQPACKET between two of ours, path and
// Linux abstract-namespace addresses, and the errors for missing and taken paths.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  oracle,
  spawnPeer,
  startPeer,
  tmpDir,
  type TmpDir,
} from "../helpers/peer.ts";
import {
  hex,
  raises,
  recvUntilEof,
  sock,
  excJson,
  type ExcJson,
} from "../helpers/sockets.ts";
import { plat } from "../../src/ffi/index.ts";
import { HAS_AF_UNIX, lacks, NO_AF_UNIX } from "../helpers/platform.ts";

const dirs: TmpDir[] = [];
/** A temporary directory removed after the test. */
function dir(): TmpDir {
  const d = tmpDir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  killAllPeers();
  for (const d of dirs.splice(0)) d.cleanup();
});

const unix = (type: number = socket.SOCK_STREAM): socket.socket =>
  sock(socket.AF_UNIX, type);

/** A unique abstract-namespace name: NUL, then text. */
const abstractName = (tag: string): Buffer =>
  Buffer.from(`\0bun-socket-test-${process.pid}-${tag}-${Math.random()}`);

describe.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))(
  "AF_UNIX with a Python peer",
  () => {
    test("stream echo: our client and Python's echo server over a socket file", async () => {
      const path = dir().join("echo.sock");
      const peer = await startPeer([
        "echo",
        "--once",
        "--family",
        "unix",
        "--path",
        path,
      ]);
      using c = unix();
      c.connect(path);
      expect(c.getpeername()).toBe(path);
      expect(c.getsockname()).toBe(""); // our end is unnamed
      const data = Buffer.concat([
        Buffer.from("unix stream\0"),
        Buffer.alloc(70_000, 7),
      ]);
      c.sendall(data);
      c.shutdown(socket.SHUT_WR);
      expect(recvUntilEof(c).equals(data)).toBe(true);
      expect(await peer.exited).toBe(0);
    });

    test("stream: Python's unix-client and our server; the unnamed client's address is ''", async () => {
      const path = dir().join("srv.sock");
      using srv = unix();
      srv.bind(path);
      srv.listen();
      const client = spawnPeer([
        "unix-client",
        "--path",
        path,
        "--send",
        "00ab",
      ]);
      const [conn, addr] = srv.accept();
      using _conn = conn;
      expect(addr).toBe("");
      expect(conn.getsockname()).toBe(path);
      conn.settimeout(5);
      const got = recvUntilEof(conn);
      conn.sendall(Buffer.concat([got, got]));
      conn.close();
      expect(await client.result()).toEqual({ received: "00ab00ab" });
    });

    test("datagram: a bound socket of ours and Python's unix-dgram-echo", async () => {
      const d = dir();
      const path = d.join("dgram.sock");
      const peer = await startPeer(["unix-dgram-echo", "--path", path]);
      using s = unix(socket.SOCK_DGRAM);
      const mine = d.join("me.sock");
      s.bind(mine); // the echo only answers senders with an address
      expect(s.sendto("one datagram", path)).toBe(12);
      const [data, addr] = s.recvfrom(100);
      expect(data.toString()).toBe("one datagram");
      expect(addr).toBe(path);
      // Boundaries are kept, and a short read truncates.
      s.sendto(Buffer.alloc(40, 0x61), path);
      s.sendto("b", path);
      expect(s.recv(4).toString()).toBe("aaaa");
      expect(s.recv(100).toString()).toBe("b");
    });

    test("datagram: a connected AF_UNIX socket sends with send() and reads with recv()", async () => {
      const d = dir();
      const path = d.join("dgram2.sock");
      const peer = await startPeer(["unix-dgram-echo", "--path", path]);
      using s = unix(socket.SOCK_DGRAM);
      s.bind(d.join("me2.sock"));
      s.connect(path);
      expect(s.getpeername()).toBe(path);
      expect(s.send("hi")).toBe(2);
      expect(s.recv(100).toString()).toBe("hi");
      expect(peer.proc.exitCode).toBeNull();
    });
  },
);

describe.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))("SOCK_SEQPACKET", () => {
  test("a listener and a client of ours keep message boundaries, truncate short reads, and see EOF", () => {
    const path = dir().join("seq.sock");
    using srv = unix(socket.SOCK_SEQPACKET);
    srv.bind(path);
    srv.listen();
    expect(srv.type).toBe(socket.SOCK_SEQPACKET);
    using c = unix(socket.SOCK_SEQPACKET);
    c.connect(path); // completes at once: the listener's queue has room
    const [conn] = srv.accept();
    using _conn = conn;
    conn.settimeout(5);
    expect(conn.type).toBe(socket.SOCK_SEQPACKET);
    expect(c.send("one")).toBe(3);
    expect(c.send("two")).toBe(3);
    c.sendall("three");
    expect(conn.recv(100).toString()).toBe("one");
    expect(conn.recv(100).toString()).toBe("two");
    expect(conn.recv(2).toString()).toBe("th"); // "ree" is discarded
    conn.send("reply");
    expect(c.recv(100).toString()).toBe("reply");
    c.close();
    expect(conn.recv(100).length).toBe(0);
  });
});

describe.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))("AF_UNIX addresses", () => {
  test("an unbound socket's name is '' (TestUnixDomain.testUnbound)", () => {
    const want = oracle<string>(
      `print(json.dumps(socket.socket(socket.AF_UNIX).getsockname()))`,
    );
    expect(want).toBe("");
    using s = unix();
    expect(s.getsockname()).toBe("");
    using d = unix(socket.SOCK_DGRAM);
    expect(d.getsockname()).toBe("");
  });

  test("a str path round-trips as the same str (TestUnixDomain.testStrAddr)", () => {
    const path = dir().join("str.sock");
    using s = unix();
    s.bind(path);
    expect(s.getsockname()).toBe(path);
  });

  test("a Buffer path binds the file and getsockname returns a str (TestUnixDomain.testBytesAddr)", () => {
    const path = dir().join("bytes.sock");
    using s = unix();
    s.bind(Buffer.from(path));
    expect(s.getsockname()).toBe(path);
    using t = unix();
    const p2 = dir().join("u8.sock");
    t.bind(new TextEncoder().encode(p2));
    expect(t.getsockname()).toBe(p2);
  });

  test("a non-ASCII path round-trips as str", () => {
    const path = dir().join("sock-\u00e9\u4e2d.sock");
    using s = unix();
    s.bind(path);
    expect(s.getsockname()).toBe(path);
  });

  test("a filesystem path of 107 bytes binds; 108 raises OSError 'AF_UNIX path too long', as CPython", () => {
    const d = dir();
    const base = d.path + "/";
    const p107 = base + "x".repeat(107 - base.length);
    const p108 = base + "y".repeat(108 - base.length);
    const want = oracle<ExcJson>(
      `socket.socket(socket.AF_UNIX).bind(${JSON.stringify(p108)})`,
    );
    expect(want).toMatchObject({
      exc: "OSError",
      msg: "AF_UNIX path too long",
    });
    using s = unix();
    s.bind(p107);
    expect(s.getsockname()).toBe(p107);
    using t = unix();
    const e = raises(() => t.bind(p108));
    expect(e.name).toBe("OSError");
    expect(e.message).toBe("AF_UNIX path too long");
    expect(e.errno).toBeNull();
  });

  test("connect to a missing path raises FileNotFoundError errno 2, as CPython", () => {
    const path = dir().join("missing.sock");
    const want = oracle<ExcJson>(
      `socket.socket(socket.AF_UNIX).connect(${JSON.stringify(path)})`,
    );
    using c = unix();
    const e = raises(() => c.connect(path));
    expect(e).toBeInstanceOf(socket.FileNotFoundError);
    expect(excJson(e)).toEqual(want);
    expect(e.errno).toBe(2);
    expect(c.connect_ex(path)).toBe(2);
  });

  test("binding a path that exists raises OSError EADDRINUSE 98, as CPython", () => {
    const path = dir().join("taken.sock");
    using first = unix();
    first.bind(path);
    const want = oracle<ExcJson>(
      `socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`,
    );
    using second = unix();
    const e = raises(() => second.bind(path));
    expect(excJson(e)).toEqual(want);
    expect(e.errno).toBe(98);
    expect(e.code).toBe("EADDRINUSE");
    // Closing the first socket does not remove the file: the path stays taken.
    first.close();
    expect(raises(() => second.bind(path)).errno).toBe(98);
  });
});

// Abstract names: Linux only (plat.features.abstractUnix), and AF_UNIX itself.
describe.skipIf(
  lacks(HAS_AF_UNIX, NO_AF_UNIX) ||
    lacks(
      plat.features.abstractUnix,
      "no AF_UNIX abstract namespace on this OS",
    ),
)("Linux abstract namespace (TestLinuxAbstractNamespace)", () => {
  test("a Buffer name starting with NUL binds without a file; getsockname returns an equal Buffer; connect works (testLinuxAbstractNamespace)", () => {
    const name = abstractName("ns");
    using srv = unix();
    srv.bind(name);
    srv.listen();
    const got = srv.getsockname();
    expect(Buffer.isBuffer(got)).toBe(true);
    expect((got as Buffer).equals(name)).toBe(true);
    using c = unix();
    c.connect(name);
    const peer = c.getpeername();
    expect(Buffer.isBuffer(peer) && peer.equals(name)).toBe(true);
    const [conn] = srv.accept();
    using _conn = conn;
    c.sendall("abstract");
    expect(conn.recv(100).toString()).toBe("abstract");
  });

  test("a name of 108 bytes (the whole sun_path) works (testMaxName)", () => {
    const name = Buffer.alloc(108, 0x62);
    name[0] = 0;
    name.write(String(process.pid), 1);
    using s = unix();
    s.bind(name);
    const got = s.getsockname();
    expect(Buffer.isBuffer(got) && got.equals(name)).toBe(true);
  });

  test("a name of 109 bytes raises OSError 'AF_UNIX path too long', as CPython (testNameOverflow)", () => {
    const want = oracle<ExcJson>(
      `socket.socket(socket.AF_UNIX).bind(b"\\0" + b"h" * 108)`,
    );
    expect(want).toMatchObject({
      exc: "OSError",
      msg: "AF_UNIX path too long",
    });
    const name = Buffer.alloc(109, 0x68);
    name[0] = 0;
    using s = unix();
    const e = raises(() => s.bind(name));
    expect(e.name).toBe("OSError");
    expect(e.message).toBe("AF_UNIX path too long");
    expect(e.errno).toBeNull();
  });

  test("a str name with NULs and a Uint8Array name are abstract too and come back as Buffers (testStrName, testBytearrayName)", () => {
    const text = `\0python\0test-${process.pid}-${Math.random()}\0`;
    using s = unix();
    s.bind(text);
    const got = s.getsockname();
    expect(Buffer.isBuffer(got)).toBe(true);
    expect((got as Buffer).toString("latin1")).toBe(text);

    const bytes = new Uint8Array(abstractName("u8"));
    using t = unix();
    t.bind(bytes);
    const got2 = t.getsockname();
    expect(Buffer.isBuffer(got2) && got2.equals(bytes)).toBe(true);
  });

  test("binding '' autobinds to a kernel-chosen abstract name (testAutobind)", () => {
    using s = unix();
    s.bind("");
    const got = s.getsockname();
    expect(Buffer.isBuffer(got)).toBe(true);
    expect((got as Buffer).toString("latin1")).toMatch(/^\0[0-9a-f]{5}$/);
  });
});
