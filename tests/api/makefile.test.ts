// socket.makefile(): the raw SocketIO, the buffered binary file and the text file, on real loopback and
// AF_UNIX sockets. CPython's peer (tests/peers/peer.py) sends in separate segments (`trickle`) so lines and
// multi-byte characters really straddle recv() calls, and counts what we send (`sink`). The structure
// follows CPython's FileObjectClassTestCase family in Lib/test/test_socket.py.
import { afterEach, describe, expect, test } from "bun:test";
import { fstatSync } from "node:fs";
import * as socket from "../../src/index.ts";
import { plat } from "../../src/ffi/index.ts";
import {
  killAllPeers,
  python,
  sourcePattern,
  startPeer,
} from "../helpers/peer.ts";
import {
  raises,
  sha256,
  sock,
  tcpPair,
  TEST_TIMEOUT,
} from "../helpers/sockets.ts";

afterEach(() => {
  killAllPeers();
});

// CPython's test message: ASCII, a 3-byte UTF-8 character and "\r\n".
const MSG = Buffer.from("Michael Gilfix was here\u1234\r\n", "utf8");
const MSG_TEXT = MSG.toString("utf8");

type SysName = "recv" | "send";

/** Runs `fn` with `plat.sys[name]` wrapped; returns the result of every call made meanwhile. */
function countCalls(name: SysName, fn: () => void): number[] {
  const table = plat.sys as unknown as Record<
    SysName,
    (...a: unknown[]) => number
  >;
  const orig = table[name];
  const results: number[] = [];
  table[name] = (...a: unknown[]) => {
    const r = orig(...a);
    results.push(r);
    return r;
  };
  try {
    fn();
  } finally {
    table[name] = orig;
  }
  return results;
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

/** The exception `fn` throws (any kind); fails the test when it returns normally. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception, none was thrown");
}

/**
 * A Python peer that sends `chunks` as separate segments `delayMs` apart, and our socket connected to it.
 * With `keepOpen` it holds the connection open after the last chunk (so a further read can time out).
 */
async function trickle(
  chunks: (string | Uint8Array)[],
  opts: { delayMs?: number; keepOpen?: boolean; timeout?: number } = {},
): Promise<socket.socket> {
  const args = [
    "trickle",
    "--chunks",
    chunks.map((c) => Buffer.from(c).toString("hex")).join(","),
    "--delay-ms",
    String(opts.delayMs ?? 40),
  ];
  if (opts.keepOpen) args.push("--keep-open");
  const peer = await startPeer(args);
  const s = sock(
    socket.AF_INET,
    socket.SOCK_STREAM,
    opts.timeout ?? TEST_TIMEOUT,
  );
  s.connect(["127.0.0.1", peer.port]);
  return s;
}

/** A connected pair of our own AF_UNIX stream sockets with the test timeout. */
function unixPair(): [socket.socket, socket.socket] {
  const [a, b] = socket.socketpair();
  a.settimeout(TEST_TIMEOUT);
  b.settimeout(TEST_TIMEOUT);
  return [a, b];
}

describe("modes and attributes", () => {
  test("buffering 0 gives the raw SocketIO, binary modes a buffered file, text modes a text file", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const cases: [string, number | null, unknown][] = [
      ["rb", 0, socket.SocketIO],
      ["wb", 0, socket.SocketIO],
      ["rwb", 0, socket.SocketIO],
      ["rb", null, socket.BufferedSocketFile],
      ["wb", 2, socket.BufferedSocketFile],
      ["rwb", null, socket.BufferedSocketFile],
      ["r", null, socket.TextSocketFile],
      ["w", 1, socket.TextSocketFile],
      ["rw", null, socket.TextSocketFile],
    ];
    for (const [mode, buffering, cls] of cases) {
      using f = a.makefile(mode, buffering);
      expect(f).toBeInstanceOf(cls as new () => unknown);
      expect(f.fileno()).toBe(a.fileno());
    }
  });

  test("mode and name are CPython's: the raw mode for binary files, the given mode for text, name = fileno (testAttributes)", () => {
    const want = python<Record<string, [string, boolean]>>(`
import socket, json
a, b = socket.socketpair()
out = {}
for mode, buf in (("rb", None), ("wb", None), ("rb", 0), ("wb", 0), ("rwb", 0), ("r", None), ("w", None), ("b", None), ("", None)):
    f = a.makefile(mode, buf)
    out[mode + str(buf)] = [f.mode, f.name == a.fileno()]
    f.close()
print(json.dumps(out))`);
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const got: Record<string, [string, boolean]> = {};
    for (const [mode, buf] of [
      ["rb", null],
      ["wb", null],
      ["rb", 0],
      ["wb", 0],
      ["rwb", 0],
      ["r", null],
      ["w", null],
      ["b", null],
      ["", null],
    ] as const) {
      const f = a.makefile(mode, buf);
      got[mode + String(buf === null ? "None" : buf)] = [
        f.mode,
        f.name === a.fileno(),
      ];
      f.close();
    }
    expect(got).toEqual(want);
  });

  test("null options mean no keywords; options that are not an object are a TypeError (fuzzer-found)", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const f = a.makefile("r", null, null as unknown as socket.TextOptions);
    expect(f).toBeInstanceOf(socket.TextSocketFile);
    f.close();
    const e = thrown(() =>
      a.makefile("r", null, 5 as unknown as socket.TextOptions),
    );
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(
      "makefile() options must be an object of keyword arguments, not int",
    );
  });

  test("an invalid mode and unbuffered text raise ValueError with CPython's messages", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
out = []
for mode, buf in (("rx", None), ("rt", None), ("a", None), ("r+", None), ("r", 0), ("w", 0)):
    try: a.makefile(mode, buf)
    except ValueError as e: out.append(str(e))
print(json.dumps(out))`);
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const got = (
      [
        ["rx", null],
        ["rt", null],
        ["a", null],
        ["r+", null],
        ["r", 0],
        ["w", 0],
      ] as const
    ).map(([mode, buf]) => {
      const e = thrown(() => a.makefile(mode, buf));
      expect(e).toBeInstanceOf(socket.ValueError);
      return e.message;
    });
    expect(got).toEqual(want);
    // the failed calls took no reference: close() really closes
    const fd = a.fileno();
    a.close();
    expect(isOpen(fd)).toBe(false);
  });

  test("readable/writable/seekable follow the mode; after close they and every I/O method raise ValueError", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    for (const [mode, buf] of [
      ["rb", 0],
      ["wb", 0],
      ["rwb", 0],
      ["rb", null],
      ["wb", null],
      ["rwb", null],
      ["r", null],
      ["w", null],
      ["rw", null],
    ] as const) {
      const f = a.makefile(mode, buf);
      expect(f.readable()).toBe(mode.includes("r"));
      expect(f.writable()).toBe(mode.includes("w"));
      expect(f.seekable()).toBe(false);
      expect(f.closed).toBe(false);
      f.close();
      expect(f.closed).toBe(true);
      for (const call of [
        () => f.readable(),
        () => f.writable(),
        () => f.seekable(),
        () => f.fileno(),
        () => f.flush(),
        () => f.readline(),
        () => (f as socket.BufferedSocketFile).read(1),
      ])
        expect(thrown(call)).toBeInstanceOf(socket.ValueError);
      f.close(); // a second close is harmless
    }
  });

  test("the raw file's closed-file messages are CPython's SocketIO ones", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
f = a.makefile("rb", 0); f.close()
out = []
for call in (f.readable, f.writable, f.seekable, f.fileno, lambda: f.read(1)):
    try: call()
    except ValueError as e: out.append(str(e))
print(json.dumps(out))`);
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const f = a.makefile("rb", 0) as socket.SocketIO;
    f.close();
    const got = [
      () => f.readable(),
      () => f.writable(),
      () => f.seekable(),
      () => f.fileno(),
      () => f.read(1),
    ].map((c) => thrown(c).message);
    expect(got).toEqual(want);
  });

  test("reading a write-only file or writing a read-only one raises OSError (Python's io.UnsupportedOperation)", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const raw = a.makefile("wb", 0) as socket.SocketIO;
    const e = thrown(() => raw.readinto(new Uint8Array(1)));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe("File or stream is not readable.");
    const rawR = a.makefile("rb", 0) as socket.SocketIO;
    expect(thrown(() => rawR.write(Buffer.from("x"))).message).toBe(
      "File or stream is not writable.",
    );
    const buf = a.makefile("rb") as socket.BufferedSocketFile;
    expect(thrown(() => buf.write(Buffer.from("x")))).toBeInstanceOf(
      socket.OSError,
    );
    const text = a.makefile("w") as socket.TextSocketFile;
    expect(thrown(() => text.read())).toBeInstanceOf(socket.OSError);
    for (const f of [raw, rawR, buf, text]) f.close();
  });
});

describe("binary reads from a Python peer sending separate segments", () => {
  test("readline joins a line split across segments and keeps the rest for the next call", async () => {
    using s = await trickle(["hel", "lo\nwor", "ld\nta", "il"]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    s.close();
    let lines: Buffer[] = [];
    const calls = countCalls("recv", () => {
      lines = [f.readline(), f.readline(), f.readline(), f.readline()];
    });
    expect(lines.map(String)).toEqual(["hello\n", "world\n", "tail", ""]);
    // at least one recv per segment: the split really happened
    expect(calls.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  test("read(n) waits for n bytes across segments; read() reads to EOF; a short read at EOF (testSmallRead, testFullRead)", async () => {
    using s = await trickle(["ab", "cdef", "g", "hij"]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    expect(f.read(5)!.toString()).toBe("abcde");
    expect(f.read(2)!.toString()).toBe("fg");
    expect(f.read()!.toString()).toBe("hij");
    expect(f.read(10)!.length).toBe(0);
    expect(f.read()!.length).toBe(0);
  });

  test("read1 makes at most one recv and returns what it got (a partial read)", async () => {
    using s = await trickle(["first", "second"], { delayMs: 150 });
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    const calls = countCalls("recv", () => {
      expect(f.read1(100).toString()).toBe("first");
    });
    // one recv that returned data (in timeout mode an EAGAIN try may come first, then the wait)
    expect(calls.filter((n) => n >= 0).length).toBe(1);
    expect(f.read1(3).toString()).toBe("sec");
    expect(f.read1().toString()).toBe("ond"); // buffered: no recv needed
    expect(f.read1(10).length).toBe(0); // EOF
  });

  test("readline(limit) stops at the limit and the next call continues the line", async () => {
    using s = await trickle(["abc", "def\ng", "h\n"]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    expect(f.readline(4).toString()).toBe("abcd");
    expect(f.readline(0).toString()).toBe("");
    expect(f.readline(100).toString()).toBe("ef\n");
    expect(f.readline(null as unknown as number).toString()).toBe("gh\n");
    expect(f.readline().length).toBe(0);
  });

  test("readinto fills any TypedArray or DataView across segments", async () => {
    const data = Buffer.from("0123456789abcdef");
    using s = await trickle([
      data.subarray(0, 3),
      data.subarray(3, 11),
      data.subarray(11),
    ]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    const u16 = new Uint16Array(4);
    expect(f.readinto(u16)).toBe(8);
    expect(Buffer.from(u16.buffer).toString()).toBe("01234567");
    const dv = new DataView(new ArrayBuffer(16), 2, 6);
    expect(f.readinto(dv)).toBe(6);
    expect(Buffer.from(dv.buffer, 2, 6).toString()).toBe("89abcd");
    expect(f.readinto(new ArrayBuffer(10))).toBe(2);
    expect(f.readinto(new Uint8Array(4))).toBe(0);
  });

  test("iteration, readlines and peek", async () => {
    using s = await trickle(["one\ntw", "o\nthr", "ee\nfour"]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    expect(f.peek().toString().startsWith("o")).toBe(true);
    expect(f.readline().toString()).toBe("one\n");
    const rest: string[] = [];
    for (const line of f) {
      rest.push(line.toString());
      if (rest.length === 1)
        expect(f.readlines().map(String)).toEqual(["three\n", "four"]);
    }
    expect(rest).toEqual(["two\n"]);
  });

  test("Python's peer reads what a binary file writes: many small writes, one flush", async () => {
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const parts: Buffer[] = [];
    {
      using f = s.makefile("wb") as socket.BufferedSocketFile;
      s.close();
      for (let i = 0; i < 1000; i++) {
        const p = Buffer.from(`chunk ${i}|`);
        parts.push(p);
        expect(f.write(p)).toBe(p.length);
      }
      f.writelines([Buffer.from("tail-a"), new Uint8Array([0x2d, 0x62])]);
      parts.push(Buffer.from("tail-a-b"));
    } // `using` closes the file: it flushes, then the fd closes (the socket was closed first)
    const all = Buffer.concat(parts);
    expect(await peer.result()).toEqual({
      received: all.length,
      sha256: sha256(all),
    });
  });
});

describe("no recv per byte or per line; no send per write", () => {
  test("reading 10,000 lines from Python's peer takes a few hundred recv calls, not one per line", async () => {
    const n = 251 * 10_000; // byte i is i % 251: a "\n" (10) every 251 bytes
    const peer = await startPeer(["source", "--bytes", String(n)]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    using f = s.makefile("rb") as socket.BufferedSocketFile;
    const lines: Buffer[] = [];
    const calls = countCalls("recv", () => {
      for (const line of f) lines.push(line);
    });
    expect(lines.length).toBe(10_001); // 10,000 "\n" plus the unterminated tail
    expect(lines[1]!.length).toBe(251);
    expect(Buffer.concat(lines).equals(sourcePattern(n))).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(n / 8192));
    expect(calls.length).toBeLessThan(1000);
    s.close();
  });

  test("text readline over 10,000 lines also reads in 8 KiB chunks", async () => {
    const n = 251 * 10_000;
    const peer = await startPeer(["source", "--bytes", String(n)]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    using f = s.makefile("r", null, {
      encoding: "latin-1",
    }) as socket.TextSocketFile;
    let count = 0;
    let chars = 0;
    const calls = countCalls("recv", () => {
      for (const line of f) {
        count++;
        chars += line.length;
      }
    });
    // universal newlines: byte 13 ("\r") also ends a line and becomes "\n"; Python gives the same count
    const want = python<[number, number]>(`
import io, json
data = bytes(i % 251 for i in range(${n}))
lines = io.TextIOWrapper(io.BytesIO(data), encoding="latin-1").readlines()
print(json.dumps([len(lines), sum(map(len, lines))]))`);
    expect([count, chars]).toEqual(want);
    expect(calls.length).toBeLessThan(1000);
    s.close();
  });

  test("10,000 read(1) calls cost a couple of recv calls", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const data = Buffer.alloc(10_000, "x");
    a.sendall(data);
    using f = b.makefile("rb") as socket.BufferedSocketFile;
    let got = 0;
    const calls = countCalls("recv", () => {
      for (let i = 0; i < 10_000; i++) got += f.read(1)!.length;
    });
    expect(got).toBe(10_000);
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  test("10,000 small writes cost one send per 8 KiB buffer", async () => {
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const f = s.makefile("wb") as socket.BufferedSocketFile;
    const line = Buffer.from("0123456789\n");
    const calls = countCalls("send", () => {
      for (let i = 0; i < 10_000; i++) f.write(line);
      f.flush();
    });
    expect(calls.reduce((x, y) => x + y, 0)).toBe(110_000);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(110_000 / 8192) + 1);
    f.close();
    s.close();
    const all = Buffer.concat(Array.from({ length: 10_000 }, () => line));
    expect(await peer.result()).toEqual({
      received: all.length,
      sha256: sha256(all),
    });
  });

  test("a raw (unbuffered) file's readline reads one byte per recv, so nothing past the line is consumed (testUnbufferedReadline)", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.sendall(
      Buffer.concat([Buffer.from("A. "), MSG, Buffer.from("B. "), MSG]),
    );
    const f1 = b.makefile("rb", 0) as socket.SocketIO;
    expect(f1.readline().equals(Buffer.concat([Buffer.from("A. "), MSG]))).toBe(
      true,
    );
    f1.close();
    const f2 = b.makefile("rb", 0) as socket.SocketIO;
    expect(f2.readline().equals(Buffer.concat([Buffer.from("B. "), MSG]))).toBe(
      true,
    );
    f2.close();
  });
});

describe("the FileObjectClassTestCase matrix on a loopback TCP pair", () => {
  // [label, read mode, write mode, buffering] as CPython's subclasses: default, Unbuffered (0),
  // LineBuffered (1), SmallBuffered (2), UnicodeRead/Write/ReadWrite (newline "").
  const variants: [string, string, string, number | null][] = [
    ["FileObjectClassTestCase", "rb", "wb", null],
    ["UnbufferedFileObjectClassTestCase", "rb", "wb", 0],
    ["LineBufferedFileObjectClassTestCase", "rb", "wb", 1],
    ["SmallBufferedFileObjectClassTestCase", "rb", "wb", 2],
    ["UnicodeReadFileObjectClassTestCase", "r", "wb", null],
    ["UnicodeWriteFileObjectClassTestCase", "rb", "w", null],
    ["UnicodeReadWriteFileObjectClassTestCase", "r", "w", null],
  ];
  type AnyFile = {
    read(n?: number): Buffer | string | null;
    readline(): Buffer | string;
    write(d: never): unknown;
    flush(): void;
    close(): void;
    closed: boolean;
  };
  const text = { newline: "" };

  for (const [label, readMode, writeMode, bufsize] of variants) {
    const readMsg = readMode.includes("b") ? MSG.toString("latin1") : MSG_TEXT;
    const asStr = (x: Buffer | string | null): string =>
      x === null ? "<None>" : typeof x === "string" ? x : x.toString("latin1");
    const setup = () => {
      const [cli, srv] = tcpPair();
      const readFile = cli.makefile(
        readMode,
        bufsize,
        text,
      ) as unknown as AnyFile;
      const writeFile = srv.makefile(
        writeMode,
        bufsize,
        text,
      ) as unknown as AnyFile;
      const writeMsg = (writeMode.includes("b") ? MSG : MSG_TEXT) as never;
      return { cli, srv, readFile, writeFile, writeMsg };
    };

    test(`${label}: testSmallRead, testFullRead, testReadline, testUnbufferedRead`, () => {
      {
        const { cli, srv, readFile, writeFile, writeMsg } = setup();
        writeFile.write(writeMsg);
        writeFile.flush();
        const first = asStr(readFile.read(readMsg.length - 3));
        const second = asStr(readFile.read(3));
        expect(first + second).toBe(readMsg);
        // testFullRead: the writer closes its file and socket, the reader reads to EOF
        writeFile.write(writeMsg);
        writeFile.close();
        srv.close();
        expect(asStr(readFile.read())).toBe(readMsg);
        readFile.close();
        cli.close();
      }
      {
        const { cli, srv, readFile, writeFile, writeMsg } = setup();
        writeFile.write(writeMsg);
        writeFile.write(writeMsg);
        writeFile.flush();
        expect(asStr(readFile.readline())).toBe(readMsg);
        let buf = "";
        for (let i = 0; i < readMsg.length; i++) buf += asStr(readFile.read(1));
        expect(buf).toBe(readMsg);
        for (const f of [readFile, writeFile]) f.close();
        cli.close();
        srv.close();
      }
    });

    test(`${label}: testCloseAfterMakefile, testMakefileAfterMakefileClose, testClosedAttr, testRealClose`, () => {
      {
        const { cli, srv, readFile, writeFile, writeMsg } = setup();
        expect(readFile.closed).toBe(false);
        expect(writeFile.closed).toBe(false);
        writeFile.write(writeMsg);
        writeFile.flush();
        cli.close(); // the file keeps the socket open
        writeFile.close();
        srv.close();
        expect(asStr(readFile.read())).toBe(readMsg);
        readFile.close();
        expect(readFile.closed).toBe(true);
      }
      {
        const { cli, srv, readFile, writeFile, writeMsg } = setup();
        writeFile.write(writeMsg);
        writeFile.flush();
        readFile.close();
        expect(cli.recv(MSG.length).equals(MSG)).toBe(true);
        writeFile.close();
        srv.close();
        const fd = cli.fileno();
        cli.close();
        expect(isOpen(fd)).toBe(false);
        expect(() => (readFile as unknown as socket.SocketIO).fileno()).toThrow(
          socket.ValueError,
        );
        expect(raises(() => cli.getsockname())).toBeInstanceOf(socket.OSError);
      }
    });
  }
});

describe("text mode: decoding and newlines across segments", () => {
  test("multi-byte UTF-8 characters split between segments come out whole", async () => {
    const text = "café\n€😀ü\nend";
    const bytes = Buffer.from(text, "utf8");
    // cut inside "é" (2 bytes), "€" (3 bytes) and "😀" (4 bytes)
    const cuts = [4, 7, 9, 12, 17];
    const chunks: Buffer[] = [];
    let prev = 0;
    for (const c of [...cuts, bytes.length]) {
      chunks.push(bytes.subarray(prev, c));
      prev = c;
    }
    using s = await trickle(chunks, { delayMs: 30 });
    using f = s.makefile("r") as socket.TextSocketFile;
    s.close();
    expect(f.readline()).toBe("café\n");
    expect(f.read(1)).toBe("€");
    expect(f.read(1)).toBe("😀"); // one character, as Python's str counts it
    expect(f.readline()).toBe("ü\n");
    expect(f.read()).toBe("end");
    expect(f.read()).toBe("");
  });

  test("readline(limit) and read(n) count characters, not UTF-16 units or bytes", () => {
    const want = python<string[]>(`
import socket, json
a, b = socket.socketpair()
a.sendall("😀😀ab\\n€x".encode()); a.close()
f = b.makefile("r", encoding="utf-8")
print(json.dumps([f.readline(1), f.readline(2), f.read(2), f.readline(), f.read()]))`);
    const [a, b] = unixPair();
    using _b = b;
    a.sendall(Buffer.from("😀😀ab\n€x"));
    a.close();
    using f = b.makefile("r", null, {
      encoding: "utf-8",
    }) as socket.TextSocketFile;
    expect([
      f.readline(1),
      f.readline(2),
      f.read(2),
      f.readline(),
      f.read(),
    ]).toEqual(want);
  });

  for (const newline of [null, "", "\n", "\r", "\r\n"] as const) {
    test(`newline=${JSON.stringify(newline)}: lines split like Python's TextIOWrapper, with "\\r\\n" straddling segments`, async () => {
      const data = "a\r\nb\rc\nd\r\r\ne\r";
      const want = python<string[]>(`
import io, json
f = io.TextIOWrapper(io.BytesIO(${JSON.stringify(data)}.encode()), encoding="utf-8", newline=${newline === null ? "None" : JSON.stringify(newline)})
print(json.dumps(f.readlines()))`);
      // every "\r" ends a segment, so each "\r\n" straddles two recv() calls
      const chunks = data.split(/(?<=\r)/);
      using s = await trickle(chunks, { delayMs: 25 });
      using f = s.makefile("r", null, { newline }) as socket.TextSocketFile;
      s.close();
      expect(f.readlines()).toEqual(want);
    });
  }

  test('write translates "\\n" for newline "\\r\\n" and encodes latin-1; Python\'s peer receives the same bytes Python would send', async () => {
    const text = "line one\nzweite Zeile: äöü\n";
    const want = python<{ received: number; sha256: string }>(`
import hashlib, json
b = ${JSON.stringify(text)}.replace("\\n", "\\r\\n").encode("latin-1")
print(json.dumps({"received": len(b), "sha256": hashlib.sha256(b).hexdigest()}))`);
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const f = s.makefile("w", null, {
      encoding: "latin-1",
      newline: "\r\n",
    }) as socket.TextSocketFile;
    expect(f.write(text)).toBe(text.length);
    f.close();
    s.close();
    expect(await peer.result()).toEqual(want);
  });

  test("write returns the number of characters, and UTF-8 is the default encoding", async () => {
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    using f = s.makefile("w") as socket.TextSocketFile;
    expect(f.encoding.toLowerCase().replace("-", "")).toBe("utf8");
    expect(f.write("😀é")).toBe(2);
    f.writelines(["a", "b\n"]);
    f.close();
    s.close();
    const bytes = Buffer.from("😀éab\n");
    expect(await peer.result()).toEqual({
      received: bytes.length,
      sha256: sha256(bytes),
    });
  });

  test("latin-1 and ascii decode like Python's codecs (not the WHATWG windows-1252 tables)", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const want = python<{
      latin1: number[];
      ascii: number[];
      asciiStrict: string;
    }>(`
import json
data = bytes(range(256))
try: data.decode("ascii")
except UnicodeDecodeError as e: msg = str(e)
print(json.dumps({"latin1": [ord(c) for c in data.decode("latin-1")], "ascii": [ord(c) for c in data.decode("ascii", "replace")], "asciiStrict": msg}))`);
    const read = (opts: socket.TextOptions): string => {
      const [a, b] = unixPair();
      using _b = b;
      a.sendall(all);
      a.close();
      using f = b.makefile("r", null, {
        newline: "",
        ...opts,
      }) as socket.TextSocketFile;
      return f.read();
    };
    const codes = (s: string) => [...s].map((c) => c.codePointAt(0));
    expect(codes(read({ encoding: "latin-1" }))).toEqual(want.latin1);
    expect(codes(read({ encoding: "ISO-8859-1" }))).toEqual(want.latin1);
    expect(codes(read({ encoding: "ascii", errors: "replace" }))).toEqual(
      want.ascii,
    );
    const e = thrown(() => read({ encoding: "ascii" }));
    expect(e).toBeInstanceOf(socket.ValueError); // Python: UnicodeDecodeError, a ValueError
    expect(e.message).toBe(want.asciiStrict);
  });

  test("undecodable UTF-8: strict raises ValueError, replace and ignore give Python's text", () => {
    const bad = Buffer.from([0x41, 0xff, 0x42, 0xc3]);
    const want = python<Record<string, string>>(`
import json
b = bytes([0x41, 0xff, 0x42, 0xc3])
print(json.dumps({e: b.decode("utf-8", e) for e in ("replace", "ignore")}))`);
    const read = (errors: string | null): string => {
      const [a, b] = unixPair();
      using _b = b;
      a.sendall(bad);
      a.close();
      using f = b.makefile("r", null, { errors }) as socket.TextSocketFile;
      return f.read();
    };
    expect(read("replace")).toBe(want.replace!);
    expect(read("ignore")).toBe(want.ignore!);
    expect(thrown(() => read(null))).toBeInstanceOf(socket.ValueError);
  });

  test("unencodable text: strict raises CPython's UnicodeEncodeError message, replace writes '?'", () => {
    const want = python<string[]>(`
import json
out = []
for t in ("a€b", "a€€b", "é😀"):
    try: t.encode("latin-1")
    except UnicodeEncodeError as e: out.append(str(e))
out.append("aé😀".encode("ascii", "replace").decode())
print(json.dumps(out))`);
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    using w = a.makefile("w", null, {
      encoding: "latin-1",
    }) as socket.TextSocketFile;
    const msgs = ["a€b", "a€€b", "é😀"].map((t) => {
      const e = thrown(() => w.write(t));
      expect(e).toBeInstanceOf(socket.ValueError);
      return e.message;
    });
    using r = a.makefile("w", null, {
      encoding: "ascii",
      errors: "replace",
    }) as socket.TextSocketFile;
    r.write("aé😀");
    r.flush();
    expect([...msgs, b.recv(100).toString()]).toEqual(want);
  });

  test("rw text file with Python's echo peer: write, flush, readline", async () => {
    const peer = await startPeer(["echo", "--once"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    using f = s.makefile("rw") as socket.TextSocketFile;
    f.write("ping ☃\n");
    f.flush();
    expect(f.readline()).toBe("ping ☃\n");
    f.write("pong\n");
    f.flush();
    expect(f.readline()).toBe("pong\n");
    s.close();
  });
});

describe("closing order: the fd closes when the socket and every file are closed", () => {
  test("closing the socket first: its fd stays open and readable until the file closes (testMakefileClose)", () => {
    const [a, b] = unixPair();
    using _b = b;
    const f = a.makefile("rb", 0) as socket.SocketIO;
    const fd = a.fileno();
    b.sendall(MSG);
    a.close();
    expect(a.fileno()).toBe(fd);
    expect(a.recv(1024).equals(MSG)).toBe(true); // the socket still works, as CPython's
    f.close();
    expect(isOpen(fd)).toBe(false);
    expect(raises(() => a.recv(1024))).toBeInstanceOf(socket.OSError);
  });

  test("three files and the socket closed in every order: the fd closes on the last close only", () => {
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    for (const order of orders) {
      const [a, b] = unixPair();
      using _b = b;
      const closers = [
        a.makefile("rb"),
        a.makefile("w"),
        a.makefile("rwb", 0),
        a,
      ].map((x) => () => x.close());
      const fd = a.fileno();
      order.forEach((i, k) => {
        closers[i]!();
        expect(isOpen(fd)).toBe(k === order.length - 1 ? false : true);
      });
      // closing again changes nothing
      for (const c of closers) c();
    }
  });

  test("closing a file that still holds buffered writes flushes them, even after the socket was closed", async () => {
    const peer = await startPeer(["sink"]);
    using s = sock();
    s.connect(["127.0.0.1", peer.port]);
    const f = s.makefile("wb") as socket.BufferedSocketFile;
    f.write(Buffer.from("buffered until close"));
    s.close();
    f.close();
    expect(await peer.result()).toEqual({
      received: 20,
      sha256: sha256(Buffer.from("buffered until close")),
    });
  });

  test("`using` closes a file at scope end", () => {
    const [a, b] = unixPair();
    using _b = b;
    const fd = a.fileno();
    {
      using f = a.makefile("rb");
      a.close();
      expect(f.closed).toBe(false);
      expect(isOpen(fd)).toBe(true);
    }
    expect(isOpen(fd)).toBe(false);
  });
});

describe("timeouts and non-blocking mode", () => {
  for (const [mode, bufsize] of [
    ["rb", null],
    ["rb", 0],
    ["r", null],
  ] as const) {
    test(`makefile(${JSON.stringify(mode)}, ${bufsize}): a timed-out read raises TimeoutError, later reads "cannot read from timed out object" (testReadAfterTimeout)`, async () => {
      using s = await trickle(["Mic"], { keepOpen: true, timeout: 0.3 });
      using f = s.makefile(mode, bufsize) as socket.BufferedSocketFile;
      expect(String(f.read(3))).toBe("Mic");
      const t0 = performance.now();
      expect(thrown(() => f.read(1))).toBeInstanceOf(socket.TimeoutError);
      expect(performance.now() - t0).toBeGreaterThan(250);
      const e = thrown(() => f.read(1));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e).not.toBeInstanceOf(socket.TimeoutError);
      expect(e.message).toContain("cannot read from timed out object");
    });
  }

  test("after a read timed out, the file can still write and the socket still works", async () => {
    const peer = await startPeer(["echo", "--once"]);
    using s = sock(socket.AF_INET, socket.SOCK_STREAM, 0.3);
    s.connect(["127.0.0.1", peer.port]);
    using f = s.makefile("rwb") as socket.BufferedSocketFile;
    f.write(Buffer.from("abc"));
    f.flush();
    expect(f.read(3)!.toString()).toBe("abc");
    expect(thrown(() => f.read(1))).toBeInstanceOf(socket.TimeoutError);
    f.write(Buffer.from("xyz"));
    f.flush();
    expect(s.recv(3).toString()).toBe("xyz");
    s.close();
  });

  test("a read that waits for a late segment within the timeout succeeds", async () => {
    using s = await trickle(["late ", "line\n"], { delayMs: 200, timeout: 2 });
    using f = s.makefile("r") as socket.TextSocketFile;
    expect(f.readline()).toBe("late line\n");
    s.close();
  });

  test("non-blocking: raw readinto and buffered read return null until data arrives (testSmallReadNonBlocking)", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.setblocking(false);
    const raw = b.makefile("rb", 0) as socket.SocketIO;
    const buffered = b.makefile("rb") as socket.BufferedSocketFile;
    expect(raw.readinto(new Uint8Array(10))).toBeNull();
    expect(raw.read(3)).toBeNull();
    expect(buffered.read(MSG.length - 3)).toBeNull();
    a.sendall(MSG);
    const first = buffered.read(MSG.length - 3)!;
    const rest = new Uint8Array(10);
    const n = buffered.readinto(rest);
    expect(n).toBe(3);
    expect(Buffer.concat([first, rest.subarray(0, 3)]).equals(MSG)).toBe(true);
    expect(buffered.readinto(new Uint8Array(16))).toBeNull();
    expect(buffered.read(1)).toBeNull();
    raw.close();
    buffered.close();
  });

  test("non-blocking: a raw write returns null once the send buffer is full (testWriteNonBlocking)", () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.setblocking(false);
    using w = a.makefile("wb", 0) as socket.SocketIO;
    const big = Buffer.alloc(1 << 20, "x");
    const first = w.write(big);
    expect(first).toBeGreaterThan(0);
    let last: number | null = first;
    for (let i = 0; i < 10 && last !== null; i++) last = w.write(big);
    expect(last).toBeNull();
  });
});
