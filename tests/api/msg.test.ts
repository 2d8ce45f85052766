// sendmsg / recvmsg / recvmsg_into, CMSG_LEN / CMSG_SPACE, SCM_RIGHTS descriptor passing (send_fds /
// recv_fds, truncation with MSG_CTRUNC), and the zero-copy recv_into / recvfrom_into. Differential: the same
// scenario runs in CPython (the oracle) and here, on AF_UNIX socket pairs and loopback UDP; descriptors
// cross to and from a Python process (tests/peers/peer.py fds-send / fds-recv).
// Follows SendmsgTests, RecvmsgTests, RecvmsgIntoTests, CmsgMacroTests, SCMRightsTest, SendRecvFdsTests and
// BufferIOTest in Lib/test/test_socket.py.
import { afterEach, describe, expect, test } from "bun:test";
import { dlopen, FFIType } from "bun:ffi";
import {
  closeSync,
  fstatSync,
  openSync,
  readSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import * as socket from "../../src/index.ts";
import { plat } from "../../src/ffi/index.ts";
import {
  killAllPeers,
  newFds,
  openFdSet,
  python,
  sourcePattern,
  spawnPeer,
  startPeer,
  tmpDir,
  type TmpDir,
} from "../helpers/peer.ts";
import {
  hex,
  raises,
  sha256,
  sock,
  TEST_TIMEOUT,
  timed,
} from "../helpers/sockets.ts";

const dirs: TmpDir[] = [];
function dir(): TmpDir {
  const d = tmpDir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  killAllPeers();
  for (const d of dirs.splice(0)) d.cleanup();
});

const MSG = Buffer.from("Michael Gilfix was here\u1234\r\n", "utf8");
const SIZEOF_INT = 4;

/** An AF_UNIX pair of ours with the test timeout. */
function pair(
  type: number = socket.SOCK_STREAM,
): [socket.socket, socket.socket] {
  const [a, b] = socket.socketpair(socket.AF_UNIX, type);
  a.settimeout(TEST_TIMEOUT);
  b.settimeout(TEST_TIMEOUT);
  return [a, b];
}

/** The exception `fn` throws (any kind). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception, none was thrown");
}

/** pread of a descriptor from offset 0. */
function contentOf(fd: number): string {
  const b = Buffer.alloc(100);
  const n = readSync(fd, b, 0, 100, 0);
  return b.subarray(0, n).toString();
}

/** The ints of SCM_RIGHTS items (whole ints only, as recv_fds does). */
function fdsOf(ancdata: [number, number, Buffer][]): number[] {
  const fds: number[] = [];
  for (const [level, type, data] of ancdata)
    if (level === socket.SOL_SOCKET && type === socket.SCM_RIGHTS)
      for (let i = 0; i + 4 <= data.length; i += 4)
        fds.push(data.readInt32LE(i));
  return fds;
}

const libc = dlopen("libc.so.6", {
  pipe: { args: [FFIType.ptr], returns: FFIType.i32 },
});
/** `pipe(2)`: [read end, write end]. */
function pipe(): [number, number] {
  const fds = new Int32Array(new ArrayBuffer(8));
  if (libc.symbols.pipe(fds) !== 0) throw new Error("pipe failed");
  return [fds[0]!, fds[1]!];
}

describe("CMSG_LEN and CMSG_SPACE (CmsgMacroTests)", () => {
  test("match CPython over 0..256 and the 257 values below the limit, and raise past it with CPython's messages", () => {
    type Row = [number, number | string];
    const want = python<{ len: Row[]; space: Row[] }>(`
import socket, json
limit = 0x7fffffff
extra = [-1, -(2**63), 2**31, 2**32, 2**63, 2**64, -(2**64)]
def table(f, toobig):
    rows = []
    for n in list(range(257)) + list(range(toobig - 257, toobig + 2)) + extra:
        try: rows.append([n, f(n)])
        except OverflowError as e: rows.append([n, "OverflowError: " + str(e)])
    return rows
print(json.dumps({"len": table(socket.CMSG_LEN, limit - socket.CMSG_LEN(0) + 1),
                  "space": table(socket.CMSG_SPACE, limit - socket.CMSG_SPACE(1) + 1)}))`);
    const run = (f: (n: number) => number, rows: Row[]): Row[] =>
      rows.map(([n]) => {
        try {
          return [n, f(n)];
        } catch (e) {
          expect(e).toBeInstanceOf(socket.OverflowError);
          return [n, `OverflowError: ${(e as Error).message}`];
        }
      });
    expect(want.len.length).toBe(257 + 259 + 7);
    expect(run(socket.CMSG_LEN, want.len)).toEqual(want.len);
    expect(run(socket.CMSG_SPACE, want.space)).toEqual(want.space);
  });

  test("CMSG_LEN(n) - CMSG_LEN(0) == n and CMSG_SPACE grows monotonically, as the C macros", () => {
    expect(socket.CMSG_LEN(0)).toBeGreaterThan(SIZEOF_INT * 2);
    let last = socket.CMSG_SPACE(0);
    for (let n = 0; n < 300; n++) {
      expect(socket.CMSG_LEN(n) - socket.CMSG_LEN(0)).toBe(n);
      const sp = socket.CMSG_SPACE(n);
      expect(sp).toBeGreaterThanOrEqual(last);
      expect(sp).toBeGreaterThanOrEqual(socket.CMSG_LEN(n));
      expect(sp % 8).toBe(0);
      last = sp;
    }
    expect(() => socket.CMSG_LEN("1" as unknown as number)).toThrow(TypeError);
  });
});

describe("SCM_RIGHTS truncation and layout, against CPython (SCMRightsTest)", () => {
  // Items: file indices to pass in one cmsg each; {partial: [...]} appends a bad fd and cuts its last byte.
  type Item = number[] | { partial: number[] };
  const scenarios: Record<string, [Item[], number | null]> = {
    testFDPassSimple: [[[0]], 10240],
    testMultipleFDPass: [[[0, 1, 2, 3]], 10240],
    testFDPassCMSG_SPACE: [[[0, 1, 2, 3]], socket.CMSG_SPACE(4 * SIZEOF_INT)],
    testFDPassCMSG_LEN: [[[0]], socket.CMSG_LEN(4 * SIZEOF_INT)],
    testFDPassSeparate: [[[0], [1]], 10240],
    testFDPassSeparateMinSpace: [
      [[0], [1]],
      socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(SIZEOF_INT * 2),
    ],
    testFDPassEmpty: [[[]], 10240],
    testFDPassPartialInt: [[{ partial: [] }], 10240],
    testFDPassPartialIntInMiddle: [[{ partial: [0] }, [1]], 10240],
    testCmsgTruncNoBufSize: [[[0]], null],
    testCmsgTrunc0: [[[0]], 0],
    testCmsgTrunc1: [[[0]], 1],
    testCmsgTrunc2Int: [[[0]], SIZEOF_INT * 2],
    testCmsgTruncLen0Minus1: [[[0]], socket.CMSG_LEN(0) - 1],
    testCmsgTruncLen0: [[[0]], socket.CMSG_LEN(0)],
    testCmsgTruncLen0Plus1: [[[0, 1]], socket.CMSG_LEN(0) + 1],
    testCmsgTruncLen1: [[[0, 1]], socket.CMSG_LEN(SIZEOF_INT)],
    testCmsgTruncLen2Minus1: [[[0, 1]], socket.CMSG_LEN(2 * SIZEOF_INT) - 1],
  };
  const BADFD = -0x5555;

  interface Outcome {
    send: [string, number | null] | null;
    msg: boolean;
    anc: [number, number, number][];
    ctrunc: boolean;
    trunc: boolean;
    addr: unknown;
    contents: string[];
    leaked: number;
  }

  function pythonOutcomes(type: "SOCK_DGRAM" | "SOCK_STREAM", d: string) {
    return python<Record<string, Outcome>>(`
import socket, json, os, array
MSG = ${JSON.stringify([...MSG])}
MSG = bytes(MSG)
d = ${JSON.stringify(d)}
paths = []
for i in range(4):
    p = os.path.join(d, "py%d" % i)
    with open(p, "wb") as f: f.write(str(i).encode())
    paths.append(p)
def fdset():
    out = set()
    for n in os.listdir("/proc/self/fd"):
        try:
            os.readlink("/proc/self/fd/" + n)
            out.add(int(n))
        except OSError:
            pass
    return out
def run(items, ancbuf):
    a, b = socket.socketpair(socket.AF_UNIX, socket.${type})
    a.settimeout(5); b.settimeout(5)
    opened = []
    anc = []
    for it in items:
        if isinstance(it, dict):
            fds = [os.open(paths[i], os.O_RDONLY) for i in it["partial"]]
            opened += fds
            anc.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds + [${BADFD}]).tobytes()[:-1]))
        else:
            fds = [os.open(paths[i], os.O_RDONLY) for i in it]
            opened += fds
            anc.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds)))
    send = None
    try:
        a.sendmsg([MSG], anc)
    except OSError as e:
        send = [type(e).__name__, e.errno]
        a.sendmsg([MSG])
    base = fdset()
    args = (len(MSG),) if ancbuf is None else (len(MSG), ancbuf)
    msg, ancdata, flags, addr = b.recvmsg(*args)
    contents = []
    for level, typ, data in ancdata:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            for fd in array.array("i", data[:len(data) - len(data) % 4]):
                contents.append(os.pread(fd, 100, 0).decode())
                os.close(fd)
    leaked = len(fdset() - base)
    for fd in opened: os.close(fd)
    a.close(); b.close()
    return {"send": send, "msg": msg == MSG, "anc": [[l, t, len(x)] for l, t, x in ancdata],
            "ctrunc": bool(flags & socket.MSG_CTRUNC), "trunc": bool(flags & socket.MSG_TRUNC),
            "addr": addr, "contents": contents, "leaked": leaked}
scenarios = json.loads(${JSON.stringify(JSON.stringify(scenarios))})
print(json.dumps({name: run(items, ancbuf) for name, (items, ancbuf) in scenarios.items()}))`);
  }

  function ourOutcome(
    type: number,
    paths: string[],
    items: Item[],
    ancbuf: number | null,
  ): Outcome {
    const [a, b] = pair(type);
    const opened: number[] = [];
    try {
      const anc: [number, number, ArrayBufferView][] = items.map((it) => {
        if (Array.isArray(it)) {
          const fds = it.map((i) => openSync(paths[i]!, "r"));
          opened.push(...fds);
          return [socket.SOL_SOCKET, socket.SCM_RIGHTS, new Int32Array(fds)];
        }
        const fds = it.partial.map((i) => openSync(paths[i]!, "r"));
        opened.push(...fds);
        const bytes = new Uint8Array(new Int32Array([...fds, BADFD]).buffer);
        return [
          socket.SOL_SOCKET,
          socket.SCM_RIGHTS,
          bytes.subarray(0, bytes.length - 1),
        ];
      });
      let send: [string, number | null] | null = null;
      try {
        a.sendmsg([MSG], anc);
      } catch (e) {
        expect(e).toBeInstanceOf(socket.OSError);
        send = [(e as Error).name, (e as socket.OSError).errno];
        a.sendmsg([MSG]);
      }
      const base = openFdSet();
      const [msg, ancdata, flags, addr] =
        ancbuf === null ? b.recvmsg(MSG.length) : b.recvmsg(MSG.length, ancbuf);
      const contents: string[] = [];
      for (const fd of fdsOf(ancdata)) {
        contents.push(contentOf(fd));
        closeSync(fd);
      }
      const leaked = newFds(base).length;
      return {
        send,
        msg: msg.equals(MSG),
        anc: ancdata.map(([l, t, x]) => [l, t, x.length]),
        ctrunc: (flags & socket.MSG_CTRUNC) !== 0,
        trunc: (flags & socket.MSG_TRUNC) !== 0,
        addr,
        contents,
        leaked,
      };
    } finally {
      for (const fd of opened) closeSync(fd);
      a.close();
      b.close();
    }
  }

  for (const type of ["SOCK_DGRAM", "SOCK_STREAM"] as const) {
    test(`${type}: every truncation boundary (0, 1, 2 ints, CMSG_LEN(0)±1, CMSG_LEN(1), CMSG_LEN(2)-1) gives CPython's data, MSG_CTRUNC and fds; nothing leaks`, () => {
      const d = dir();
      const paths = [0, 1, 2, 3].map((i) => {
        const p = d.join(`f${i}`);
        writeFileSync(p, String(i));
        return p;
      });
      const want = pythonOutcomes(type, d.path);
      const got: Record<string, Outcome> = {};
      for (const [name, [items, ancbuf]] of Object.entries(scenarios))
        got[name] = ourOutcome(socket[type], paths, items, ancbuf);
      expect(got).toEqual(want);
      // the facts SCMRightsTest checks, on our side
      for (const o of Object.values(got)) {
        expect(o.msg).toBe(true);
        expect(o.leaked).toBe(0);
      }
      expect(got.testMultipleFDPass!.contents).toEqual(["0", "1", "2", "3"]);
      expect(got.testMultipleFDPass!.ctrunc).toBe(false);
      expect(got.testFDPassSeparate!.contents).toEqual(["0", "1"]);
      for (const name of [
        "testCmsgTrunc1",
        "testCmsgTrunc2Int",
        "testCmsgTruncLen0Minus1",
      ]) {
        expect(got[name]!.anc).toEqual([]);
        expect(got[name]!.ctrunc).toBe(true);
      }
      expect(got.testCmsgTruncLen0!.ctrunc).toBe(true);
      expect(got.testCmsgTruncLen1!.contents).toEqual(["0"]);
      expect(got.testCmsgTruncLen1!.ctrunc).toBe(true);
      expect(got.testCmsgTruncLen2Minus1!.contents.length).toBeLessThanOrEqual(
        1,
      );
    });
  }
});

describe("send_fds / recv_fds", () => {
  test("10 pipe read ends passed over a socketpair arrive as working duplicates (SendRecvFdsTests.testSendAndRecvFds)", () => {
    const pipes = Array.from({ length: 10 }, () => pipe());
    const [a, b] = pair();
    try {
      expect(
        socket.send_fds(
          a,
          [MSG],
          pipes.map(([r]) => r),
        ),
      ).toBe(MSG.length);
      // request more data and descriptors than were sent
      const [msg, fds, flags] = socket.recv_fds(b, MSG.length * 2, 20);
      expect(msg.equals(MSG)).toBe(true);
      expect(fds.length).toBe(10);
      expect(flags).toBe(0);
      pipes.forEach(([, w], i) => writeSync(w, String(i)));
      fds.forEach((fd, i) => {
        expect(pipes.map(([r]) => r)).not.toContain(fd);
        const buf = Buffer.alloc(100);
        expect(
          buf.subarray(0, readSync(fd, buf, 0, 100, null)).toString(),
        ).toBe(String(i));
        closeSync(fd);
      });
    } finally {
      for (const [r, w] of pipes) {
        closeSync(r);
        closeSync(w);
      }
      a.close();
      b.close();
    }
  });

  test("recv_fds with maxfds below the count sent: MSG_CTRUNC, the first maxfds fds, the rest closed by the kernel (as CPython)", () => {
    const want = python<{ n: number; ctrunc: boolean; leaked: number }>(`
import socket, os, json
a, b = socket.socketpair()
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(5)]
socket.send_fds(a, [b"x"], fds)
def fdset():
    out = set()
    for n in os.listdir("/proc/self/fd"):
        try:
            os.readlink("/proc/self/fd/" + n)
            out.add(int(n))
        except OSError:
            pass
    return out
base = fdset()
msg, got, flags, addr = socket.recv_fds(b, 10, 2)
for fd in got: os.close(fd)
print(json.dumps({"n": len(got), "ctrunc": bool(flags & socket.MSG_CTRUNC), "leaked": len(fdset() - base)}))`);
    const [a, b] = pair();
    const fds = Array.from({ length: 5 }, () => openSync("/dev/null", "r"));
    try {
      socket.send_fds(a, [Buffer.from("x")], fds);
      const base = openFdSet();
      const [, got, flags] = socket.recv_fds(b, 10, 2);
      for (const fd of got) {
        expect(fstatSync(fd).isCharacterDevice()).toBe(true);
        closeSync(fd);
      }
      expect({
        n: got.length,
        ctrunc: (flags & socket.MSG_CTRUNC) !== 0,
        leaked: newFds(base).length,
      }).toEqual(want);
      expect(want).toEqual({ n: 2, ctrunc: true, leaked: 0 });
    } finally {
      for (const fd of fds) closeSync(fd);
      a.close();
      b.close();
    }
  });

  test("a Python process receives our descriptors and uses them: a file, a pipe, a socket", async () => {
    const d = dir();
    const path = d.join("fds.sock");
    const peer = await startPeer([
      "fds-recv",
      "--family",
      "unix",
      "--path",
      path,
    ]);
    const filePath = d.join("data.txt");
    writeFileSync(filePath, "file contents from bun");
    const file = openSync(filePath, "r");
    const [pr, pw] = pipe();
    writeSync(pw, "pipe contents");
    const [mine, theirs] = pair();
    const c = sock(socket.AF_UNIX);
    try {
      c.connect(path);
      expect(
        socket.send_fds(
          c,
          [Buffer.from("three fds")],
          [file, pr, theirs.fileno()],
        ),
      ).toBe(9);
      // Python's end writes to the socket it got: it arrives at our other end
      expect(mine.recv(100).toString()).toBe("from python");
      const r = await peer.result<{
        data: string;
        flags: number;
        fds: { kind: string; content: string }[];
      }>();
      expect(r.data).toBe(hex("three fds"));
      expect(r.flags).toBe(0);
      expect(r.fds.map((f) => f.kind)).toEqual(["file", "pipe", "socket"]);
      expect(Buffer.from(r.fds[0]!.content, "hex").toString()).toBe(
        "file contents from bun",
      );
      expect(Buffer.from(r.fds[1]!.content, "hex").toString()).toBe(
        "pipe contents",
      );
    } finally {
      c.close();
      mine.close();
      theirs.close();
      closeSync(file);
      closeSync(pr);
      closeSync(pw);
    }
  });

  test("we receive descriptors a Python process opened, read the file through each, and close them", async () => {
    const d = dir();
    const path = d.join("fds.sock");
    const filePath = d.join("py.txt");
    writeFileSync(filePath, "written before python opened it");
    const peer = await startPeer([
      "fds-send",
      "--family",
      "unix",
      "--path",
      path,
      "--file",
      filePath,
      "--count",
      "3",
    ]);
    const c = sock(socket.AF_UNIX);
    try {
      c.connect(path);
      const base = openFdSet();
      const [msg, fds, flags, addr] = socket.recv_fds(c, 100, 8);
      expect(msg.toString()).toBe("fds");
      expect(flags).toBe(0);
      expect(addr).toBe(path); // Linux reports a stream peer's bound path, CPython shows it too
      expect(fds.length).toBe(3);
      expect(newFds(base).sort()).toEqual([...fds].sort());
      for (const fd of fds) {
        expect(fstatSync(fd).isFile()).toBe(true);
        expect(contentOf(fd)).toBe("written before python opened it");
        closeSync(fd);
      }
      expect(newFds(base)).toEqual([]);
    } finally {
      c.close();
    }
    expect(await peer.result()).toEqual({ sent: 3 });
  });

  test("send_fds honours flags and address (DIFFERS FROM CPYTHON, whose send_fds drops them)", () => {
    const d = dir();
    using rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    rx.settimeout(TEST_TIMEOUT);
    rx.bind(d.join("rx.sock"));
    using tx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    const fd = openSync("/dev/null", "r");
    try {
      expect(
        socket.send_fds(tx, [Buffer.from("to")], [fd], 0, d.join("rx.sock")),
      ).toBe(2);
      const [msg, fds] = socket.recv_fds(rx, 10, 1);
      expect(msg.toString()).toBe("to");
      expect(fds.length).toBe(1);
      closeSync(fds[0]!);
    } finally {
      closeSync(fd);
    }
  });

  test("bad descriptors and arguments fail as CPython's send_fds/recv_fds do", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
out = []
for f in (lambda: socket.send_fds(a, [b"x"], [-1]), lambda: socket.send_fds(a, [b"x"], ["x"]), lambda: socket.recv_fds(b, 10, -1)):
    try: f()
    except Exception as e: out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`);
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const got = [
      () => socket.send_fds(a, [Buffer.from("x")], [-1]),
      () => socket.send_fds(a, [Buffer.from("x")], ["x" as unknown as number]),
      () => socket.recv_fds(b, 10, -1),
    ].map((f) => {
      const e = thrown(f);
      return `${e.name}: ${e.message}`;
    });
    expect(got).toEqual(want);
  });
});

describe("sendmsg (SendmsgTests)", () => {
  test("gathers any mix of views, ArrayBuffers and a generator into one message to Python's peer (testSendmsgGather, testSendmsgDataGenerator)", async () => {
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const parts: ArrayBufferView[] = [
      Buffer.from("buf|"),
      new Uint8Array([0x75, 0x38, 0x7c]),
      new Uint16Array([0x3130, 0x7c32]),
      new DataView(
        new TextEncoder().encode("xxdv|xx").buffer,
        2,
        3,
      ) as unknown as Uint8Array,
    ];
    function* gen() {
      yield* parts;
      yield new TextEncoder().encode("gen").buffer as unknown as Uint8Array;
    }
    const all = Buffer.concat([
      Buffer.from("buf|u8|"),
      Buffer.from(new Uint16Array([0x3130, 0x7c32]).buffer),
      Buffer.from("dv|gen"),
    ]);
    expect(s.sendmsg(gen())).toBe(all.length);
    s.close();
    expect(await peer.result()).toEqual({
      received: all.length,
      sha256: sha256(all),
    });
  });

  test("ancillary data from a generator; an explicit null address on a stream socket (testSendmsgAncillaryGenerator, testSendmsgExplicitNoneAddr)", () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const fd = openSync("/dev/null", "r");
    try {
      function* anc(): Generator<[number, number, Uint8Array]> {
        yield [
          socket.SOL_SOCKET,
          socket.SCM_RIGHTS,
          new Int32Array([fd]) as unknown as Uint8Array,
        ];
      }
      expect(a.sendmsg([MSG], anc(), 0, null)).toBe(MSG.length);
      const [msg, ancdata, flags, addr] = b.recvmsg(100, 1024);
      expect(msg.equals(MSG)).toBe(true);
      expect(flags).toBe(0);
      expect(addr).toBeNull();
      const fds = fdsOf(ancdata);
      expect(fds.length).toBe(1);
      closeSync(fds[0]!);
    } finally {
      closeSync(fd);
    }
  });

  test("UDP: sendmsg to an address reaches Python's client, recvmsg reports the sender (testSendmsgTo)", async () => {
    using s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    const port = (s.getsockname() as [string, number])[1];
    const client = spawnPeer([
      "udp-client",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--send",
      hex("hello"),
    ]);
    const [data, anc, flags, addr] = s.recvmsg(100);
    expect(data.toString()).toBe("hello");
    expect(anc).toEqual([]);
    expect(flags).toBe(0);
    const [host, pyPort] = addr as [string, number];
    expect(host).toBe("127.0.0.1");
    expect(
      s.sendmsg([Buffer.from("re:"), data], [], 0, addr as [string, number]),
    ).toBe(8);
    expect(await client.result()).toEqual({
      received: hex("re:hello"),
      from: ["127.0.0.1", port],
    });
    expect(pyPort).toBeGreaterThan(0);
  });

  test("errors match CPython's: bad arguments, closed socket, no destination on UDP", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
c = socket.socket(); c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out = []
for f in (lambda: a.sendmsg(5), lambda: a.sendmsg(None), lambda: a.sendmsg([b"x"], 5),
          lambda: a.sendmsg([b"x"], [(0, 0)]), lambda: a.sendmsg([b"x"], [5]), lambda: a.sendmsg([b"x"], [(0, 0, 0, 0)]),
          lambda: a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, "x")]),
          lambda: a.sendmsg([b"x"], [("a", 0, b"")]), lambda: a.sendmsg([b"x"], [], "a"),
          lambda: c.sendmsg([b"x"]), lambda: u.sendmsg([b"x"])):
    try: f()
    except Exception as e: out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`);
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const c = socket.socket();
    c.close();
    using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const A = a as unknown as { sendmsg(...x: unknown[]): number };
    const x = Buffer.from("x");
    const got = [
      () => A.sendmsg(5),
      () => A.sendmsg(null),
      () => A.sendmsg([x], 5),
      () => A.sendmsg([x], [[0, 0]]),
      () => A.sendmsg([x], [5]),
      () => A.sendmsg([x], [[0, 0, 0, 0]]),
      () => A.sendmsg([x], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, "x"]]),
      () => A.sendmsg([x], [["a", 0, Buffer.alloc(0)]]),
      () => A.sendmsg([x], [], "a"),
      () => c.sendmsg([x]),
      () => u.sendmsg([x]),
    ].map((f) => {
      const e = thrown(f);
      return `${e.name}: ${e.message}`;
    });
    expect(got).toEqual(want);
  });

  test("a full socket: the timeout bounds sendmsg (testSendmsgTimeout); MSG_DONTWAIT raises BlockingIOError (testSendmsgDontWait)", () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    a.settimeout(0.2);
    const chunk = Buffer.alloc(65536);
    const r = timed(() => {
      for (let i = 0; i < 1000; i++) a.sendmsg([chunk]);
    });
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
    expect(r.seconds).toBeLessThan(3);
    a.settimeout(null);
    const e = raises(() => a.sendmsg([chunk], [], socket.MSG_DONTWAIT));
    expect(e).toBeInstanceOf(socket.BlockingIOError);
  });
});

describe("recvmsg and recvmsg_into (RecvmsgTests, RecvmsgIntoTests)", () => {
  test("short buffers, MSG_TRUNC, MSG_PEEK, explicit defaults, scatter and EOF give CPython's results", () => {
    const want = python<unknown[]>(`
import socket, json
MSG = bytes(${JSON.stringify([...MSG])})
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
def r(t): return [t[0].hex() if isinstance(t[0], bytes) else t[0], t[1], t[2], t[3]]
out = []
a.send(MSG); out.append(r(b.recvmsg(len(MSG) - 3)))
a.send(MSG); out.append(r(b.recvmsg(1024, 0, socket.MSG_PEEK))); out.append(r(b.recvmsg(1024, 0, 0)))
a.send(MSG); bufs = [bytearray(4), bytearray(8), bytearray(2)]
res = b.recvmsg_into(bufs); out.append(r(res) + [[x.hex() for x in bufs]])
a.send(MSG); bufs = [bytearray(40)]
res = b.recvmsg_into(bufs, 0, 0); out.append(r(res) + [bufs[0][:res[0]].hex()])
a.send(b""); out.append(r(b.recvmsg(10)))
c, d = socket.socketpair(); c.close(); out.append(r(d.recvmsg(10)))
print(json.dumps(out))`);
    const [a, b] = pair(socket.SOCK_DGRAM);
    using _a = a;
    using _b = b;
    type R = [Buffer | number, unknown, number, unknown];
    const r = (t: R) => [
      typeof t[0] === "number" ? t[0] : t[0].toString("hex"),
      t[1],
      t[2],
      t[3],
    ];
    const out: unknown[] = [];
    a.send(MSG);
    out.push(r(b.recvmsg(MSG.length - 3)));
    a.send(MSG);
    out.push(r(b.recvmsg(1024, 0, socket.MSG_PEEK)));
    out.push(r(b.recvmsg(1024, 0, 0)));
    a.send(MSG);
    // scatter into different kinds of views
    const u8 = new Uint8Array(4);
    const dv = new DataView(new ArrayBuffer(8));
    const ab = new ArrayBuffer(2);
    let res = b.recvmsg_into([u8, dv, ab]);
    out.push([
      ...r(res),
      [u8, new Uint8Array(dv.buffer), new Uint8Array(ab)].map((x) =>
        Buffer.from(x).toString("hex"),
      ),
    ]);
    a.send(MSG);
    const big = new Uint8Array(40);
    res = b.recvmsg_into([big], 0, 0);
    out.push([...r(res), Buffer.from(big.subarray(0, res[0])).toString("hex")]);
    a.send(Buffer.alloc(0));
    out.push(r(b.recvmsg(10)));
    const [c, d] = pair();
    using _d = d;
    c.close();
    out.push(r(d.recvmsg(10)));
    expect(out).toEqual(want);
  });

  test("argument errors, including sizes past ssize_t and INT_MAX, match CPython's messages", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
out = []
for f in (lambda: b.recvmsg(-1), lambda: b.recvmsg(10, -1), lambda: b.recvmsg("a"),
          lambda: b.recvmsg_into([bytearray(1)], -1), lambda: b.recvmsg_into([b"abc"]), lambda: b.recvmsg_into(5),
          lambda: b.recvmsg(2**63), lambda: b.recvmsg(10, 2**31), lambda: b.recvmsg(10, 2**64),
          lambda: b.recvmsg(10, 0, 2**31), lambda: b.recvmsg_into([bytearray(1)], 2**31)):
    try: f()
    except Exception as e: out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`);
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const B = b as unknown as {
      recvmsg(...x: unknown[]): unknown;
      recvmsg_into(...x: unknown[]): unknown;
    };
    const got = [
      () => B.recvmsg(-1),
      () => B.recvmsg(10, -1),
      () => B.recvmsg("a"),
      () => B.recvmsg_into([new Uint8Array(1)], -1),
      () => B.recvmsg_into(["abc"]),
      () => B.recvmsg_into(5),
      () => B.recvmsg(2 ** 63),
      () => B.recvmsg(10, 2 ** 31),
      () => B.recvmsg(10, 2 ** 64),
      () => B.recvmsg(10, 0, 2 ** 31),
      () => B.recvmsg_into([new Uint8Array(1)], 2 ** 31),
    ].map((f) => {
      const e = thrown(f);
      return `${e.name}: ${e.message}`;
    });
    expect(got).toEqual(want);
  });

  test("a timeout raises TimeoutError after about the timeout (testRecvmsgTimeout); a closed socket raises EBADF", () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    b.settimeout(0.2);
    for (const f of [
      () => b.recvmsg(10),
      () => b.recvmsg_into([new Uint8Array(10)]),
    ]) {
      const r = timed(f);
      expect(r.error).toBeInstanceOf(socket.TimeoutError);
      expect(r.seconds).toBeGreaterThan(0.15);
      expect(r.seconds).toBeLessThan(2);
    }
    b.close();
    expect(raises(() => b.recvmsg(10)).errno).toBe(socket.EBADF);
  });

  test("recvmsg_into writes straight into the caller's memory (zero-copy: the same ArrayBuffer reaches recvmsg(2))", () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const backing = new ArrayBuffer(32);
    const view = new Uint16Array(backing, 8, 4);
    a.sendall(Buffer.from("zerocopy"));
    expect(b.recvmsg_into([view])[0]).toBe(8);
    expect(Buffer.from(backing, 8, 8).toString()).toBe("zerocopy");
    expect(new Uint8Array(backing, 0, 8).every((x) => x === 0)).toBe(true);
  });
});

describe("recv_into / recvfrom_into (BufferIOTest)", () => {
  test("the caller's buffer is handed straight to recv(2): same ArrayBuffer, same offset", () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const table = plat.sys as unknown as Record<
      "recv",
      (...x: unknown[]) => number
    >;
    const orig = table.recv;
    const seen: unknown[] = [];
    table.recv = (...x: unknown[]) => {
      seen.push(x[1]);
      return orig(...x);
    };
    const backing = new ArrayBuffer(64);
    const targets: ArrayBufferView[] = [
      new Uint8Array(backing, 4, 8),
      new Float64Array(backing, 16, 1),
      new DataView(backing, 24, 8),
      Buffer.from(backing, 32, 8),
      new Int16Array(backing, 40, 4),
    ];
    try {
      for (const t of targets) {
        a.sendall(Buffer.from("12345678"));
        expect(b.recv_into(t)).toBe(8);
      }
    } finally {
      table.recv = orig;
    }
    expect(seen.length).toBe(targets.length);
    seen.forEach((arg, i) => {
      const v = arg as ArrayBufferView;
      expect(v.buffer).toBe(backing);
      expect(v.byteOffset).toBe(targets[i]!.byteOffset);
    });
    for (const t of targets)
      expect(Buffer.from(backing, t.byteOffset, 8).toString()).toBe("12345678");
    expect(new Uint8Array(backing, 0, 4).every((x) => x === 0)).toBe(true);
  });

  test("nbytes: 0 means the whole buffer, fewer reads fewer, more or negative raise CPython's ValueErrors", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
out = []
for f in (lambda: b.recv_into(bytearray(3), 4), lambda: b.recv_into(bytearray(3), -1),
          lambda: b.recvfrom_into(bytearray(3), 4), lambda: b.recvfrom_into(bytearray(3), -1),
          lambda: b.recv_into("abc"), lambda: b.recvfrom_into("abc"), lambda: b.recv_into(5)):
    try: f()
    except Exception as e: out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`);
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const B = b as unknown as {
      recv_into(...x: unknown[]): number;
      recvfrom_into(...x: unknown[]): unknown;
    };
    const got = [
      () => B.recv_into(new Uint8Array(3), 4),
      () => B.recv_into(new Uint8Array(3), -1),
      () => B.recvfrom_into(new Uint8Array(3), 4),
      () => B.recvfrom_into(new Uint8Array(3), -1),
      () => B.recv_into("abc"),
      () => B.recvfrom_into("abc"),
      () => B.recv_into(5),
    ].map((f) => {
      const e = thrown(f);
      return `${e.name}: ${e.message}`;
    });
    expect(got).toEqual(want);
    // nbytes smaller than the buffer reads only that much; 0 is the whole buffer
    a.sendall(Buffer.from("abcdefgh"));
    const buf = new Uint8Array(8);
    expect(b.recv_into(buf, 3)).toBe(3);
    expect(Buffer.from(buf.subarray(0, 3)).toString()).toBe("abc");
    expect(b.recv_into(buf, 0)).toBe(5);
    expect(Buffer.from(buf.subarray(0, 5)).toString()).toBe("defgh");
    // an empty buffer returns 0 at once (BufferIOTest.testRecvIntoEmpty)
    expect(b.recv_into(new Uint8Array(0))).toBe(0);
  });

  test("recv_into fills consecutive slices of one buffer from Python's source to EOF", async () => {
    const n = 300_000;
    const peer = await startPeer(["source", "--bytes", String(n)]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const buf = new Uint8Array(n + 10);
    let off = 0;
    for (;;) {
      const got = s.recv_into(buf.subarray(off));
      if (got === 0) break;
      off += got;
    }
    expect(off).toBe(n);
    expect(Buffer.from(buf.subarray(0, n)).equals(sourcePattern(n))).toBe(true);
  });

  test("recvfrom_into returns the byte count and Python's address; a datagram longer than nbytes is cut (testRecvFromIntoSmallBuffer)", async () => {
    using s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    const port = (s.getsockname() as [string, number])[1];
    const client = spawnPeer([
      "udp-client",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--send",
      hex("datagram!"),
    ]);
    const buf = new Uint8Array(32);
    const [n, addr] = s.recvfrom_into(new DataView(buf.buffer, 2), 4);
    expect(n).toBe(4);
    expect(Buffer.from(buf.subarray(2, 6)).toString()).toBe("data");
    expect((addr as [string, number])[0]).toBe("127.0.0.1");
    s.sendto(Buffer.from("ack"), addr as [string, number]);
    expect(await client.result()).toEqual({
      received: hex("ack"),
      from: ["127.0.0.1", port],
    });
  });
});
