// The exception tree: OSError and the subclass CPython picks from errno, gaierror/herror, the
// socket.error / socket.timeout aliases, and ValueError/OverflowError as RangeErrors. The errno →
// class table is checked against python3 for every errno this OS defines.
import { describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import * as errno from "../../src/errno.ts";
import { plat } from "../../src/ffi/index.ts";
import { python } from "../helpers/peer.ts";
import {
  lacks,
  NO_SAME_OS_ORACLE,
  ORACLE_SAME_OS,
} from "../helpers/platform.ts";

type ErrorClass = abstract new (...args: never[]) => Error;

// ECONNREFUSED of this OS: 111 on Linux, 61 on macOS, 10061 (WSAECONNREFUSED) on Windows.
const REFUSED = errno.ECONNREFUSED;

describe("OSError construction", () => {
  test("new OSError(111, 'x') is a ConnectionRefusedError with Python's fields", () => {
    const e = new socket.OSError(REFUSED, "x");
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e).toBeInstanceOf(socket.ConnectionError);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e).toBeInstanceOf(Error);
    expect(e.constructor).toBe(socket.ConnectionRefusedError);
    expect(e.name).toBe("ConnectionRefusedError");
    expect(e.message).toBe(`[Errno ${REFUSED}] x`);
    expect(String(e)).toBe(`ConnectionRefusedError: [Errno ${REFUSED}] x`);
    expect(e.errno).toBe(REFUSED);
    expect(e.strerror).toBe("x");
    expect(e.code).toBe("ECONNREFUSED");
    expect(e.filename).toBeNull();
    expect(e.args).toEqual([REFUSED, "x"]);
    expect(e.bytes_sent).toBeUndefined();
    expect(e.winerror).toBeUndefined();
  });

  test("a 4th argument is winerror on Windows only (CPython: OSError(errno, strerror, filename, winerror))", () => {
    const e = new socket.OSError(22, "x", null, 10061);
    if (plat.features.winerror) {
      // errno follows winerror; str() shows the Windows code.
      expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
      expect([e.errno, e.winerror, e.message]).toEqual([
        10061,
        10061,
        "[WinError 10061] x",
      ]);
      const sys = new socket.OSError(5, "Access is denied", null, 5);
      expect([sys.errno, sys.winerror, sys.name]).toEqual([
        errno.EACCES,
        5,
        "PermissionError",
      ]);
    } else {
      // Elsewhere CPython ignores it.
      expect([e.errno, e.winerror, e.message]).toEqual([
        22,
        undefined,
        "[Errno 22] x",
      ]);
    }
  });

  test("a message-only OSError has errno, strerror and code unset", () => {
    const e = new socket.OSError("boom");
    expect(e.constructor).toBe(socket.OSError);
    expect(e.name).toBe("OSError");
    expect(e.message).toBe("boom");
    expect(e.errno).toBeNull();
    expect(e.strerror).toBeNull();
    expect(e.code).toBeUndefined();
    expect(e.args).toEqual(["boom"]);
  });

  test("OSError() with no arguments has an empty message", () => {
    const e = new socket.OSError();
    expect(e.message).toBe("");
    expect(e.errno).toBeNull();
    expect(e.args).toEqual([]);
  });

  test("a single int argument is not an errno (Python: str(OSError(1)) == '1')", () => {
    const e = new socket.OSError(1);
    expect(e.constructor).toBe(socket.OSError);
    expect(e.message).toBe("1");
    expect(e.errno).toBeNull();
  });

  test("six or more arguments are not (errno, strerror): Python's tuple str()", () => {
    const e = new socket.OSError(1, 2, 3, 4, 5, 6);
    expect(e.constructor).toBe(socket.OSError);
    expect(e.message).toBe("(1, 2, 3, 4, 5, 6)");
    expect(e.errno).toBeNull();
  });

  test("a filename is appended as Python does: [Errno 2] text: 'path'", () => {
    const e = new socket.OSError(2, "No such file or directory", "/x/y");
    expect(e).toBeInstanceOf(socket.FileNotFoundError);
    expect(e.message).toBe("[Errno 2] No such file or directory: '/x/y'");
    expect(e.filename).toBe("/x/y");
    expect(e.errno).toBe(2);
  });

  test("a null filename is ignored (Python: OSError(111, 'x', None))", () => {
    const e = new socket.OSError(REFUSED, "x", null);
    expect(e.message).toBe(`[Errno ${REFUSED}] x`);
    expect(e.filename).toBeNull();
  });

  test("an errno with no subclass stays a plain OSError", () => {
    for (const n of [errno.EBADF, errno.EINVAL, errno.EADDRINUSE, 9999]) {
      const e = new socket.OSError(n, "t");
      expect(e.constructor).toBe(socket.OSError);
      expect(e.name).toBe("OSError");
      expect(e.errno).toBe(n);
    }
    expect(new socket.OSError(9999, "t").code).toBeUndefined();
  });

  test("constructing a subclass directly keeps that subclass whatever the errno", () => {
    const e = new socket.TimeoutError(REFUSED, "x");
    expect(e.constructor).toBe(socket.TimeoutError);
    expect(e.name).toBe("TimeoutError");
    expect(e.errno).toBe(REFUSED);
    expect(e.code).toBe("ECONNREFUSED");
    const b = new socket.BlockingIOError(
      errno.EAGAIN,
      "Resource temporarily unavailable",
    );
    expect(b.characters_written).toBe(0);
    expect(b.message).toBe("[Errno 11] Resource temporarily unavailable");
  });

  test("our own deadline error: TimeoutError('timed out') with errno null", () => {
    const e = new socket.timeout("timed out");
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBeNull();
    expect(e.message).toBe("timed out");
    expect(e.name).toBe("TimeoutError");
  });
});

describe("errno → subclass table (features.md §2.3)", () => {
  const TABLE: [string, ErrorClass, string][] = [
    ["EAGAIN", socket.BlockingIOError, "BlockingIOError"],
    ["EWOULDBLOCK", socket.BlockingIOError, "BlockingIOError"],
    ["EALREADY", socket.BlockingIOError, "BlockingIOError"],
    ["EINPROGRESS", socket.BlockingIOError, "BlockingIOError"],
    ["EPIPE", socket.BrokenPipeError, "BrokenPipeError"],
    ["ESHUTDOWN", socket.BrokenPipeError, "BrokenPipeError"],
    ["ECONNABORTED", socket.ConnectionAbortedError, "ConnectionAbortedError"],
    ["ECONNREFUSED", socket.ConnectionRefusedError, "ConnectionRefusedError"],
    ["ECONNRESET", socket.ConnectionResetError, "ConnectionResetError"],
    ["EINTR", socket.InterruptedError, "InterruptedError"],
    ["ETIMEDOUT", socket.TimeoutError, "TimeoutError"],
    ["EACCES", socket.PermissionError, "PermissionError"],
    ["EPERM", socket.PermissionError, "PermissionError"],
    ["EEXIST", socket.FileExistsError, "FileExistsError"],
    ["ENOENT", socket.FileNotFoundError, "FileNotFoundError"],
    ["ECHILD", socket.ChildProcessError, "ChildProcessError"],
    ["ESRCH", socket.ProcessLookupError, "ProcessLookupError"],
    ["EISDIR", socket.IsADirectoryError, "IsADirectoryError"],
    ["ENOTDIR", socket.NotADirectoryError, "NotADirectoryError"],
  ];
  for (const [name, cls, pyName] of TABLE) {
    test(`OSError(${name}, ...) is ${pyName}`, () => {
      const n = (errno as unknown as Record<string, number>)[name]!;
      expect(typeof n).toBe("number");
      const e = new socket.OSError(n, "msg");
      expect(e).toBeInstanceOf(cls);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.constructor).toBe(cls as unknown as typeof socket.OSError);
      expect(e.name).toBe(pyName);
      expect(e.constructor.name).toBe(pyName);
      expect(e.message).toBe(`[Errno ${n}] msg`);
      expect(e.errno).toBe(n);
    });
  }

  test("the four connection classes and BrokenPipeError derive from ConnectionError", () => {
    for (const cls of [
      socket.BrokenPipeError,
      socket.ConnectionAbortedError,
      socket.ConnectionRefusedError,
      socket.ConnectionResetError,
    ])
      expect(cls.prototype).toBeInstanceOf(socket.ConnectionError);
    expect(socket.ConnectionError.prototype).toBeInstanceOf(socket.OSError);
    expect(socket.TimeoutError.prototype).not.toBeInstanceOf(
      socket.ConnectionError,
    );
  });

  // Every errno of this OS: the class name and str() Python produces for OSError(n, os.strerror(n)).
  const py = !ORACLE_SAME_OS
    ? []
    : python<
        {
          n: number;
          cls: string;
          str: string;
          text: string;
          name: string | null;
        }[]
      >(`
import errno, json, os
out = []
for n in sorted(set(errno.errorcode)):
    text = os.strerror(n)
    e = OSError(n, text)
    out.append({"n": n, "cls": type(e).__name__, "str": str(e), "text": text,
                "name": errno.errorcode.get(n)})
print(json.dumps(out))
`);

  test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
    `every errno (${py.length} of them) gets CPython's class and message`,
    () => {
      expect(py.length).toBeGreaterThan(100);
      const diffs: string[] = [];
      for (const { n, cls, str, text } of py) {
        const e = new socket.OSError(n, text);
        if (e.name !== cls || e.message !== str)
          diffs.push(
            `${n}: ${e.name} ${JSON.stringify(e.message)} vs ${cls} ${JSON.stringify(str)}`,
          );
      }
      expect(diffs).toEqual([]);
    },
  );

  test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
    "code is the errno's C name (Python's errno.errorcode; EDEADLK for 35 as Node names it)",
    () => {
      const diffs: string[] = [];
      for (const { n, name } of py) {
        const want = n === errno.EDEADLK ? "EDEADLK" : name;
        const got = new socket.OSError(n, "x").code;
        if (got !== want) diffs.push(`${n}: ${got} vs ${want}`);
      }
      expect(diffs).toEqual([]);
    },
  );
});

describe("aliases and the other exception classes", () => {
  test("socket.error is OSError and socket.timeout is TimeoutError", () => {
    expect(socket.error).toBe(socket.OSError);
    expect(socket.timeout).toBe(socket.TimeoutError);
    expect(new socket.error(REFUSED, "x")).toBeInstanceOf(
      socket.ConnectionRefusedError,
    );
  });

  test("gaierror and herror extend OSError (testSocketError)", () => {
    const g = new socket.gaierror(-2, "Name or service not known");
    expect(g).toBeInstanceOf(socket.OSError);
    expect(g.name).toBe("gaierror");
    expect(g.constructor.name).toBe("gaierror");
    expect(g.errno).toBe(-2);
    expect(g.strerror).toBe("Name or service not known");
    expect(g.message).toBe("[Errno -2] Name or service not known");
    expect(g.code).toBeUndefined();
    const h = new socket.herror(1, "Unknown host");
    expect(h).toBeInstanceOf(socket.OSError);
    expect(h.name).toBe("herror");
    expect(h.message).toBe("[Errno 1] Unknown host");
    // An errno-looking code does not turn them into errno subclasses.
    expect(new socket.gaierror(111, "x").constructor).toBe(socket.gaierror);
    expect(new socket.herror(111, "x")).not.toBeInstanceOf(
      socket.ConnectionError,
    );
  });

  test("ValueError, OverflowError and MemoryError are RangeErrors, not OSErrors", () => {
    const cases: [ErrorClass, string][] = [
      [socket.ValueError, "ValueError"],
      [socket.OverflowError, "OverflowError"],
      [socket.MemoryError, "MemoryError"],
    ];
    for (const [cls, name] of cases) {
      const C = cls as unknown as new (m: string) => Error;
      const e = new C("m");
      expect(e).toBeInstanceOf(RangeError);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(socket.OSError);
      expect(e.name).toBe(name);
      expect(e.message).toBe("m");
      expect(String(e)).toBe(`${name}: m`);
    }
  });

  test("every OSError subclass has its Python name on the class and its instances", () => {
    const names = [
      "OSError",
      "BlockingIOError",
      "BrokenPipeError",
      "ChildProcessError",
      "ConnectionAbortedError",
      "ConnectionError",
      "ConnectionRefusedError",
      "ConnectionResetError",
      "FileExistsError",
      "FileNotFoundError",
      "InterruptedError",
      "IsADirectoryError",
      "NotADirectoryError",
      "PermissionError",
      "ProcessLookupError",
      "TimeoutError",
      "gaierror",
      "herror",
    ];
    const mod = socket as unknown as Record<string, new (m: string) => Error>;
    for (const name of names) {
      const C = mod[name]!;
      expect(C.name).toBe(name);
      const e = new C("m");
      expect(e.name).toBe(name);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.stack).toContain("m");
    }
  });

  test("errors raised by the library are these classes (EBADF on a closed socket)", () => {
    const s = socket.socket();
    s.close();
    let err: unknown;
    try {
      s.getsockname();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.error);
    const e = err as socket.OSError;
    expect(e.constructor).toBe(socket.OSError);
    if (plat.features.closedSocket === "EBADF")
      expect([e.errno, e.code, e.strerror]).toEqual([
        9,
        "EBADF",
        "Bad file descriptor",
      ]);
    // Windows: CPython passes INVALID_SOCKET to Winsock, which reports WSAENOTSOCK.
    else
      expect([e.errno, e.winerror, e.code]).toEqual([10038, 10038, "ENOTSOCK"]);
  });
});
