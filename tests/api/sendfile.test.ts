// socket.sendfile(): Linux sendfile(2) for regular files given as a descriptor, a file-like object or a
// Bun.file, and the read + send loop for pipes and objects with read(); offsets, counts, empty files, the
// file position afterwards, non-blocking sockets, timeouts against CPython's `hold` peer, and bad arguments.
// CPython's `sink` peer checks every byte (length and SHA-256). Follows SendfileUsingSendTest and
// SendfileUsingSendfileTest in Lib/test/test_socket.py.
import { afterEach, describe, expect, test } from "bun:test";
import { dlopen, FFIType } from "bun:ffi";
import {
  closeSync,
  openSync,
  readSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import * as socket from "../../src/index.ts";
import { plat } from "../../src/ffi/index.ts";
import {
  killAllPeers,
  oracle,
  newFds,
  openFdSet,
  startPeer,
  tmpDir,
  type TmpDir,
} from "../helpers/peer.ts";
import {
  raises,
  randomBytes,
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

// CPython's test file: 10 MiB + 1 byte would be slow to hash in the peer; 2 MiB + 1 crosses many chunks.
const FILESIZE = 2 * 1024 * 1024 + 1;
const DATA = randomBytes(FILESIZE);

/** The test file, written once per test into a fresh directory. */
function dataFile(data: Uint8Array = DATA): string {
  const p = dir().join("file.bin");
  writeFileSync(p, data);
  return p;
}

/** Python's sink and our socket connected to it; `done()` closes ours and returns the sink's report. */
async function sink(timeout: number | null = TEST_TIMEOUT) {
  const peer = await startPeer(["sink"]);
  const s = sock(socket.AF_INET, socket.SOCK_STREAM, timeout);
  s.connect(["127.0.0.1", peer.port]);
  return {
    s,
    async done(): Promise<{ received: number; sha256: string }> {
      s.close();
      return peer.result<{ received: number; sha256: string }>();
    },
  };
}

const report = (b: Uint8Array) => ({ received: b.length, sha256: sha256(b) });

type SysName = "sendfile" | "send";
/** Runs `fn` with plat.sys.sendfile and plat.sys.send wrapped; returns how often each was called. */
function countCalls<T>(fn: () => T): [T, Record<SysName, number>] {
  const table = plat.sys as unknown as Record<
    SysName,
    ((...a: unknown[]) => number) | undefined
  >;
  const counts: Record<SysName, number> = { sendfile: 0, send: 0 };
  const orig = { sendfile: table.sendfile, send: table.send };
  for (const name of ["sendfile", "send"] as const) {
    const f = orig[name]!;
    table[name] = (...a: unknown[]) => {
      counts[name]++;
      return f(...a);
    };
  }
  try {
    return [fn(), counts];
  } finally {
    table.sendfile = orig.sendfile;
    table.send = orig.send;
  }
}

const libc = dlopen("libc.so.6", {
  pipe: { args: [FFIType.ptr], returns: FFIType.i32 },
  lseek: {
    args: [FFIType.i32, FFIType.i64, FFIType.i32],
    returns: FFIType.i64,
  },
});
function pipe(): [number, number] {
  const fds = new Int32Array(new ArrayBuffer(8));
  if (libc.symbols.pipe(fds) !== 0) throw new Error("pipe failed");
  return [fds[0]!, fds[1]!];
}
/** The descriptor's file position (`lseek(fd, 0, SEEK_CUR)`). */
function tell(fd: number): number {
  return Number(libc.symbols.lseek(fd, 0, 1));
}

describe("regular files go through sendfile(2)", () => {
  test("a descriptor number: every byte arrives, no send() calls (testRegularFile)", async () => {
    const fd = openSync(dataFile(), "r");
    try {
      const { s, done } = await sink();
      const [sent, calls] = countCalls(() => s.sendfile(fd));
      expect(sent).toBe(FILESIZE);
      expect(calls.sendfile).toBeGreaterThan(0);
      expect(calls.send).toBe(0);
      expect(await done()).toEqual(report(DATA));
      expect(tell(fd)).toBe(FILESIZE); // the position moves to what was sent
    } finally {
      closeSync(fd);
    }
  });

  test("a Bun.file(path): sent whole, and the descriptor opened for it is closed again", async () => {
    const path = dataFile();
    const { s, done } = await sink();
    const before = openFdSet();
    expect(s.sendfile(Bun.file(path))).toBe(FILESIZE);
    expect(newFds(before)).toEqual([]);
    expect(await done()).toEqual(report(DATA));
  });

  test("a file-like object with fileno() and seek(): seek gets offset + bytes sent (the file position is updated)", async () => {
    const fd = openSync(dataFile(), "r");
    const seeks: number[] = [];
    const file = {
      mode: "rb",
      fileno: () => fd,
      seek: (p: number) => void seeks.push(p),
    };
    try {
      const { s, done } = await sink();
      expect(s.sendfile(file, 1000, 5000)).toBe(5000);
      expect(seeks).toEqual([6000]);
      expect(await done()).toEqual(report(DATA.subarray(1000, 6000)));
    } finally {
      closeSync(fd);
    }
  });

  test("an object with an fd property (a Node FileHandle) works too, on an AF_UNIX socket", async () => {
    const fd = openSync(dataFile(), "r");
    const [a, b] = socket.socketpair();
    try {
      a.settimeout(TEST_TIMEOUT);
      b.settimeout(TEST_TIMEOUT);
      // small enough to sit in the AF_UNIX send buffer unread (POLLOUT needs it under a quarter full)
      const part = 30_000;
      expect(a.sendfile({ fd }, 7, part)).toBe(part);
      const got: Buffer[] = [];
      let n = 0;
      while (n < part) {
        const c = b.recv(65536);
        got.push(c);
        n += c.length;
      }
      expect(Buffer.concat(got).equals(DATA.subarray(7, 7 + part))).toBe(true);
    } finally {
      closeSync(fd);
      a.close();
      b.close();
    }
  });

  test("offset, count, count with offset, and a count past the end (testOffset, testCount, testCountWithOffset, testCountSmall)", async () => {
    const fd = openSync(dataFile(), "r");
    try {
      const cases: [number, number | null, Uint8Array][] = [
        [5000, null, DATA.subarray(5000)],
        [0, 5000007, DATA],
        [0, 65536, DATA.subarray(0, 65536)],
        [0, 1, DATA.subarray(0, 1)],
        [5000, 5007, DATA.subarray(5000, 10007)],
        [FILESIZE - 10, 100, DATA.subarray(FILESIZE - 10)],
      ];
      for (const [offset, count, want] of cases) {
        const { s, done } = await sink();
        expect(s.sendfile(fd, offset, count)).toBe(want.length);
        expect(await done()).toEqual(report(want));
        expect(tell(fd)).toBe(offset + want.length);
      }
    } finally {
      closeSync(fd);
    }
  });

  test("an empty file sends nothing and returns 0, even on a non-blocking socket, as CPython (testEmptyFileSend)", async () => {
    const fd = openSync(dataFile(new Uint8Array(0)), "r");
    try {
      const { s, done } = await sink();
      expect(s.sendfile(fd)).toBe(0);
      s.setblocking(false);
      expect(s.sendfile(fd)).toBe(0);
      expect(await done()).toEqual(report(new Uint8Array(0)));
    } finally {
      closeSync(fd);
    }
  });

  test("an offset at or past the end sends nothing", async () => {
    const fd = openSync(dataFile(), "r");
    try {
      const { s, done } = await sink();
      expect(s.sendfile(fd, FILESIZE)).toBe(0);
      expect(s.sendfile(fd, FILESIZE + 10)).toBe(0);
      expect(await done()).toEqual(report(new Uint8Array(0)));
    } finally {
      closeSync(fd);
    }
  });
});

describe("fallback: the read + send loop", () => {
  test("an object with read() only goes through send(), honouring offset (seek) and count (SendfileUsingSendTest)", async () => {
    let pos = 0;
    const seeks: number[] = [];
    const file = {
      read(n: number): Uint8Array {
        const out = DATA.subarray(pos, Math.min(pos + n, DATA.length));
        pos += out.length;
        return out;
      },
      seek(p: number) {
        seeks.push(p);
        pos = p;
      },
    };
    const { s, done } = await sink();
    const [sent, calls] = countCalls(() => s.sendfile(file, 3, 100_003));
    expect(sent).toBe(100_003);
    expect(calls.sendfile).toBe(0);
    expect(calls.send).toBeGreaterThan(0);
    expect(seeks).toEqual([3, 100_006]);
    expect(await done()).toEqual(report(DATA.subarray(3, 100_006)));
  });

  test("a pipe is read and sent (DIFFERS FROM CPYTHON: CPython's os.sendfile path sees st_size 0 and sends nothing)", async () => {
    const [r, w] = pipe();
    const data = Buffer.from("through a pipe ".repeat(1000));
    writeSync(w, data);
    closeSync(w);
    try {
      const { s, done } = await sink();
      const [sent, calls] = countCalls(() => s.sendfile(r));
      expect(sent).toBe(data.length);
      expect(calls.send).toBeGreaterThan(0);
      expect(await done()).toEqual(report(data));
    } finally {
      closeSync(r);
    }
  });

  test("read() returning text is refused like a text-mode file", async () => {
    const { s, done } = await sink();
    const e = raises(() =>
      s.sendfile({ read: () => "text" as unknown as Uint8Array }),
    );
    expect(e).toBeInstanceOf(socket.ValueError);
    expect(e.message).toBe("file should be opened in binary mode");
    await done();
  });

  test("a descriptor number or fileno() past C int is OverflowError, as CPython's fd converter (fuzzer-found)", async () => {
    const { s, done } = await sink();
    for (const file of [2 ** 40, { fileno: () => 2 ** 31 }]) {
      const e = raises(() => s.sendfile(file));
      expect(e).toBeInstanceOf(socket.OverflowError);
      expect(e.message).toBe("fd is greater than maximum");
    }
    await done();
  });

  test("an offset past 2**63 - 1 is OverflowError as CPython's off_t converter; past 2**53 - 1 too (fuzzer-found)", async () => {
    // CPython converts the offset in os.sendfile(), reached with a non-empty regular file (its interpreter).
    const want = oracle<{ exc: string; msg: string }>(`
a, b = socket.socketpair()
a.sendfile(open(sys.executable, "rb"), 2**70)`);
    const { s, done } = await sink();
    const fd = openSync(dataFile(), "r");
    try {
      const e = raises(() => s.sendfile(fd, 2 ** 70));
      expect(e).toBeInstanceOf(socket.OverflowError);
      expect([e.constructor.name, e.message]).toEqual([want.exc, want.msg]);
      const e2 = raises(() => s.sendfile(fd, 2 ** 60));
      expect(e2).toBeInstanceOf(socket.OverflowError);
      expect(e2.message).toBe("offset is greater than 2**53 - 1");
    } finally {
      closeSync(fd);
    }
    await done();
  });
});

describe("socket modes and timeouts", () => {
  test('a non-blocking socket raises ValueError "non-blocking sockets are not supported" (testNonBlocking)', async () => {
    const want = oracle(`
import io
a, b = socket.socketpair()
a.setblocking(False)
a.sendfile(io.BytesIO(b"x"))`);
    const fd = openSync(dataFile(), "r");
    try {
      const { s, done } = await sink();
      s.setblocking(false);
      for (const file of [fd, { read: () => new Uint8Array(1) }]) {
        const e = raises(() => s.sendfile(file));
        expect(e).toBeInstanceOf(socket.ValueError);
        expect(e.message).toBe(want.msg as string);
      }
      expect(await done()).toEqual(report(new Uint8Array(0)));
    } finally {
      closeSync(fd);
    }
  });

  test("a timeout is honoured when the peer never reads: TimeoutError mid-send, position at what was sent (testWithTimeoutTriggeredSend)", async () => {
    const big = new Uint8Array(64 * 1024 * 1024); // far more than two socket buffers
    const fd = openSync(dataFile(big), "r");
    const peer = await startPeer(["hold"]);
    const s = sock(socket.AF_INET, socket.SOCK_STREAM, 0.5);
    try {
      s.connect(["127.0.0.1", peer.port]);
      const r = timed(() => s.sendfile(fd));
      expect(r.error).toBeInstanceOf(socket.TimeoutError);
      expect(r.error!.message).toBe("timed out");
      expect(r.seconds).toBeGreaterThan(0.4);
      expect(r.seconds).toBeLessThan(5);
      const sentSoFar = tell(fd);
      expect(sentSoFar).toBeGreaterThan(0);
      expect(sentSoFar).toBeLessThan(big.length);
    } finally {
      s.close();
      closeSync(fd);
    }
  });

  test("the send loop honours the timeout as well", async () => {
    const peer = await startPeer(["hold"]);
    const s = sock(socket.AF_INET, socket.SOCK_STREAM, 0.3);
    try {
      s.connect(["127.0.0.1", peer.port]);
      const chunk = new Uint8Array(8192);
      const r = timed(() => s.sendfile({ read: () => chunk }));
      expect(r.error).toBeInstanceOf(socket.TimeoutError);
      expect(r.seconds).toBeLessThan(5);
    } finally {
      s.close();
    }
  });

  test("a timeout that never triggers: a blocking-with-timeout socket sends everything (testWithTimeout)", async () => {
    const fd = openSync(dataFile(), "r");
    try {
      const { s, done } = await sink(2);
      expect(s.sendfile(fd)).toBe(FILESIZE);
      expect(await done()).toEqual(report(DATA));
      const b = await sink(null);
      expect(b.s.sendfile(fd, 0)).toBe(FILESIZE);
      expect(await b.done()).toEqual(report(DATA));
    } finally {
      closeSync(fd);
    }
  });
});

describe("bad arguments", () => {
  test("text-mode file, non-stream socket, bad counts: CPython's errors and messages", () => {
    const want = oracle(`
import io
out = []
a, b = socket.socketpair()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
f = open("/dev/null", "rb")
class Text:
    mode = "r"
    def fileno(self): return f.fileno()
for call in (lambda: a.sendfile(Text()), lambda: u.sendfile(f), lambda: a.sendfile(f, 0, 0),
             lambda: a.sendfile(f, 0, -1), lambda: a.sendfile(f, 0, "2")):
    try: call()
    except Exception as e: out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`);
    const fd = openSync("/dev/null", "r");
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    try {
      const got = [
        () => a.sendfile({ mode: "r", fileno: () => fd }),
        () => u.sendfile(fd),
        () => a.sendfile(fd, 0, 0),
        () => a.sendfile(fd, 0, -1),
        () => a.sendfile(fd, 0, "2" as unknown as number),
      ].map((f) => {
        const e = raises(f) as Error;
        return `${e.name}: ${e.message}`;
      });
      expect(got).toEqual(want as unknown as string[]);
    } finally {
      closeSync(fd);
    }
  });

  test("a closed socket raises OSError EBADF; a missing Bun.file path raises FileNotFoundError; an in-memory Blob is a TypeError", () => {
    const s = socket.socket();
    s.close();
    const fd = openSync(dataFile(Buffer.from("x")), "r");
    try {
      const e = raises(() => s.sendfile(fd));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(socket.EBADF);
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      const missing = raises(() => a.sendfile(Bun.file(dir().join("nope"))));
      expect(missing).toBeInstanceOf(socket.FileNotFoundError);
      expect(missing.errno).toBe(plat.errnos.ENOENT);
      expect(() => a.sendfile(new Blob(["in memory"]))).toThrow(TypeError);
    } finally {
      closeSync(fd);
    }
  });

  test("a bad descriptor number raises OSError EBADF, not a Node error", () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const fd = openSync("/dev/null", "r");
    closeSync(fd);
    const e = raises(() => a.sendfile(fd));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(socket.EBADF);
  });

  test("reads go through the descriptor's data, not a stale copy: a file changed between calls", async () => {
    const path = dataFile(Buffer.from("first"));
    const fd = openSync(path, "r+");
    try {
      const { s, done } = await sink();
      expect(s.sendfile(fd)).toBe(5);
      writeSync(fd, Buffer.from("+second"), 0, 7, 5);
      expect(s.sendfile(fd, 5)).toBe(7);
      const check = Buffer.alloc(12);
      readSync(fd, check, 0, 12, 0);
      expect(await done()).toEqual(report(check));
    } finally {
      closeSync(fd);
    }
  });
});
