// Bad arguments: CPython 3.13's exception class and exact message, raised before any OS call.
// The expected messages were measured with CPython 3.13 on Linux. Each socket-method case also
// runs on a CLOSED socket: an OS call there would fail with EBADF, so getting the same argument
// error proves the check happened first (CPython behaves the same way).
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { tmpDir } from "../helpers/peer.ts";
import {
  HAS_AF_UNIX,
  lacks,
  LINUX_ERRNOS,
  NO_AF_UNIX,
  NO_LINUX_ERRNOS,
  UNBOUND_GETSOCKNAME,
} from "../helpers/platform.ts";

type ErrorClass = abstract new (...args: never[]) => Error;

/** The exception `fn` throws; fails the test when it returns normally. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception, none was thrown");
}

/** Python's class name for each expected class (JS's TypeError is Python's TypeError). */
const PY_NAME = new Map<ErrorClass, string>([
  [TypeError, "TypeError"],
  [socket.ValueError, "ValueError"],
  [socket.OverflowError, "OverflowError"],
  [socket.OSError, "OSError"],
]);

/** Asserts class, Python name, message (and errno for OSError), plus RangeError for ValueError/OverflowError. */
function expectPyError(
  e: Error,
  cls: ErrorClass,
  message: string,
  errno: number | null = null,
): void {
  expect(e).toBeInstanceOf(cls);
  expect(e.name).toBe(PY_NAME.get(cls)!);
  expect(e.message).toBe(message);
  if (cls === socket.ValueError || cls === socket.OverflowError) {
    expect(e).toBeInstanceOf(RangeError);
    expect(e).not.toBeInstanceOf(socket.OSError);
  }
  if (cls === socket.OSError) expect((e as socket.OSError).errno).toBe(errno);
}

/** Calls `obj[name](...args)` with no type checking: the point is to pass wrong types. */
function call(obj: object, name: string, args: unknown[]): unknown {
  const f = (obj as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new Error(`no method ${name}`);
  return (f as (...a: unknown[]) => unknown).apply(obj, args);
}

const opened: socket.socket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

type Kind = "tcp" | "udp" | "tcp6" | "unix";
function make(kind: Kind): socket.socket {
  const s =
    kind === "tcp"
      ? socket.socket(socket.AF_INET, socket.SOCK_STREAM)
      : kind === "udp"
        ? socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        : kind === "tcp6"
          ? socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
          : socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  opened.push(s);
  s.settimeout(2);
  return s;
}

const buf4 = (): Uint8Array => new Uint8Array(4);
const LONG_UNIX_PATH = "/tmp/" + "x".repeat(200);
const INT_MSG = (t: string) =>
  `'${t}' object cannot be interpreted as an integer`;

/** [label, socket kind, method, args (built fresh per call), class, CPython's message]. */
type MethodCase = [string, Kind, string, () => unknown[], ErrorClass, string];
const METHOD_CASES: MethodCase[] = [
  // recv family
  [
    "recv(-1)",
    "udp",
    "recv",
    () => [-1],
    socket.ValueError,
    "negative buffersize in recv",
  ],
  ["recv(1.5)", "udp", "recv", () => [1.5], TypeError, INT_MSG("float")],
  ["recv('a')", "udp", "recv", () => ["a"], TypeError, INT_MSG("str")],
  ["recv(null)", "udp", "recv", () => [null], TypeError, INT_MSG("NoneType")],
  [
    "recv(2**63)",
    "udp",
    "recv",
    () => [2 ** 63],
    socket.OverflowError,
    "Python int too large to convert to C ssize_t",
  ],
  [
    "recv(1, 2**31)",
    "udp",
    "recv",
    () => [1, 2 ** 31],
    socket.OverflowError,
    "signed integer is greater than maximum",
  ],
  [
    "recv(1, -(2**31)-1)",
    "udp",
    "recv",
    () => [1, -(2 ** 31) - 1],
    socket.OverflowError,
    "signed integer is less than minimum",
  ],
  ["recv(1, 1.5)", "udp", "recv", () => [1, 1.5], TypeError, INT_MSG("float")],
  [
    "recvfrom(-1)",
    "udp",
    "recvfrom",
    () => [-1],
    socket.ValueError,
    "negative buffersize in recvfrom",
  ],
  [
    "recvfrom(1.5)",
    "udp",
    "recvfrom",
    () => [1.5],
    TypeError,
    INT_MSG("float"),
  ],
  [
    "recvfrom(2**63)",
    "udp",
    "recvfrom",
    () => [2 ** 63],
    socket.OverflowError,
    "Python int too large to convert to C ssize_t",
  ],
  [
    "recv_into(buf4, -1)",
    "udp",
    "recv_into",
    () => [buf4(), -1],
    socket.ValueError,
    "negative buffersize in recv_into",
  ],
  [
    "recv_into(buf4, 5)",
    "udp",
    "recv_into",
    () => [buf4(), 5],
    socket.ValueError,
    "buffer too small for requested bytes",
  ],
  [
    "recv_into(buf4, 1.5)",
    "udp",
    "recv_into",
    () => [buf4(), 1.5],
    TypeError,
    INT_MSG("float"),
  ],
  [
    "recvfrom_into(buf4, 5)",
    "udp",
    "recvfrom_into",
    () => [buf4(), 5],
    socket.ValueError,
    "nbytes is greater than the length of the buffer",
  ],
  [
    "recvfrom_into(buf4, -1)",
    "udp",
    "recvfrom_into",
    () => [buf4(), -1],
    socket.ValueError,
    "negative buffersize in recvfrom_into",
  ],
  // modes
  [
    "settimeout(-1)",
    "tcp",
    "settimeout",
    () => [-1],
    socket.ValueError,
    "Timeout value out of range",
  ],
  // AF_INET addresses
  [
    "bind(['127.0.0.1', 65536])",
    "tcp",
    "bind",
    () => [["127.0.0.1", 65536]],
    socket.OverflowError,
    "bind(): port must be 0-65535.",
  ],
  [
    "bind(['127.0.0.1', -1])",
    "tcp",
    "bind",
    () => [["127.0.0.1", -1]],
    socket.OverflowError,
    "bind(): port must be 0-65535.",
  ],
  [
    "bind(['127.0.0.1', '80'])",
    "tcp",
    "bind",
    () => [["127.0.0.1", "80"]],
    TypeError,
    INT_MSG("str"),
  ],
  [
    "bind(['127.0.0.1', 1.5])",
    "tcp",
    "bind",
    () => [["127.0.0.1", 1.5]],
    TypeError,
    INT_MSG("float"),
  ],
  [
    "bind('127.0.0.1')",
    "tcp",
    "bind",
    () => ["127.0.0.1"],
    TypeError,
    "bind(): AF_INET address must be tuple, not str",
  ],
  [
    "bind(null)",
    "tcp",
    "bind",
    () => [null],
    TypeError,
    "bind(): AF_INET address must be tuple, not NoneType",
  ],
  [
    "bind(['127.0.0.1', 1, 2])",
    "tcp",
    "bind",
    () => [["127.0.0.1", 1, 2]],
    TypeError,
    "AF_INET address must be a pair (host, port)",
  ],
  [
    "bind(['127.0.0.1'])",
    "tcp",
    "bind",
    () => [["127.0.0.1"]],
    TypeError,
    "AF_INET address must be a pair (host, port)",
  ],
  [
    "bind([1, 1])",
    "tcp",
    "bind",
    () => [[1, 1]],
    TypeError,
    "str, bytes or bytearray expected, not int",
  ],
  [
    "bind(['127.0.0.1\\0', 1])",
    "tcp",
    "bind",
    () => [["127.0.0.1\0", 1]],
    TypeError,
    "host name must not contain null character",
  ],
  [
    "connect(['127.0.0.1', 65536])",
    "tcp",
    "connect",
    () => [["127.0.0.1", 65536]],
    socket.OverflowError,
    "connect(): port must be 0-65535.",
  ],
  [
    "connect_ex(['127.0.0.1', 65536])",
    "tcp",
    "connect_ex",
    () => [["127.0.0.1", 65536]],
    socket.OverflowError,
    "connect_ex(): port must be 0-65535.",
  ],
  [
    "connect('x')",
    "tcp",
    "connect",
    () => ["x"],
    TypeError,
    "connect(): AF_INET address must be tuple, not str",
  ],
  [
    "connect_ex('x')",
    "tcp",
    "connect_ex",
    () => ["x"],
    TypeError,
    "connect_ex(): AF_INET address must be tuple, not str",
  ],
  // AF_INET6 addresses
  [
    "AF_INET6 bind(['<broadcast>', 0])",
    "tcp6",
    "bind",
    () => [["<broadcast>", 0]],
    socket.OSError,
    "address family mismatched",
  ],
  [
    "AF_INET6 bind(['::1'])",
    "tcp6",
    "bind",
    () => [["::1"]],
    TypeError,
    "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
  ],
  [
    "AF_INET6 bind(['::1', 0, 0, 0, 0])",
    "tcp6",
    "bind",
    () => [["::1", 0, 0, 0, 0]],
    TypeError,
    "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
  ],
  [
    "AF_INET6 bind(['::1', 0, 2**20])",
    "tcp6",
    "bind",
    () => [["::1", 0, 2 ** 20]],
    socket.OverflowError,
    "bind(): flowinfo must be 0-1048575.",
  ],
  [
    "AF_INET6 bind(['::1', 0, -1])",
    "tcp6",
    "bind",
    () => [["::1", 0, -1]],
    socket.OverflowError,
    "bind(): flowinfo must be 0-1048575.",
  ],
  [
    "AF_INET6 bind(['::1', 65536])",
    "tcp6",
    "bind",
    () => [["::1", 65536]],
    socket.OverflowError,
    "bind(): port must be 0-65535.",
  ],
  [
    "AF_INET6 bind('::1')",
    "tcp6",
    "bind",
    () => ["::1"],
    TypeError,
    "bind(): AF_INET6 address must be tuple, not str",
  ],
  // AF_UNIX addresses
  [
    "AF_UNIX bind('/tmp/' + 'x'*200)",
    "unix",
    "bind",
    () => [LONG_UNIX_PATH],
    socket.OSError,
    "AF_UNIX path too long",
  ],
  [
    "AF_UNIX bind(1)",
    "unix",
    "bind",
    () => [1],
    TypeError,
    "a bytes-like object is required, not 'int'",
  ],
  [
    "AF_UNIX bind(null)",
    "unix",
    "bind",
    () => [null],
    TypeError,
    "a bytes-like object is required, not 'NoneType'",
  ],
  // shutdown, listen, getsockopt
  [
    "shutdown(2**40)",
    "tcp",
    "shutdown",
    () => [2 ** 40],
    socket.OverflowError,
    "Python int too large to convert to C int",
  ],
  ["shutdown('x')", "tcp", "shutdown", () => ["x"], TypeError, INT_MSG("str")],
  [
    "shutdown(1.5)",
    "tcp",
    "shutdown",
    () => [1.5],
    TypeError,
    INT_MSG("float"),
  ],
  ["listen('x')", "tcp", "listen", () => ["x"], TypeError, INT_MSG("str")],
  ["listen(1.5)", "tcp", "listen", () => [1.5], TypeError, INT_MSG("float")],
  [
    "getsockopt('x', 1)",
    "tcp",
    "getsockopt",
    () => ["x", 1],
    TypeError,
    INT_MSG("str"),
  ],
  // sendto (testSendtoErrors)
  [
    "sendto(b)",
    "udp",
    "sendto",
    () => [Buffer.from("x")],
    TypeError,
    "sendto() takes 2 or 3 arguments (1 given)",
  ],
  [
    "sendto(b, 0, addr, 4)",
    "udp",
    "sendto",
    () => [Buffer.from("x"), 0, ["127.0.0.1", 1], 4],
    TypeError,
    "sendto() takes 2 or 3 arguments (4 given)",
  ],
  [
    "sendto(b, ['127.0.0.1'])",
    "udp",
    "sendto",
    () => [Buffer.from("x"), ["127.0.0.1"]],
    TypeError,
    "AF_INET address must be a pair (host, port)",
  ],
  [
    "sendto(b, null)",
    "udp",
    "sendto",
    () => [Buffer.from("x"), null],
    TypeError,
    "sendto(): AF_INET address must be tuple, not NoneType",
  ],
  [
    "sendto(b, 'bar', addr)",
    "udp",
    "sendto",
    () => [Buffer.from("x"), "bar", ["127.0.0.1", 1]],
    TypeError,
    INT_MSG("str"),
  ],
  [
    "sendto(null, addr)",
    "udp",
    "sendto",
    () => [null, ["127.0.0.1", 1]],
    TypeError,
    "a bytes-like object is required, not 'NoneType'",
  ],
  [
    "send(1)",
    "tcp",
    "send",
    () => [1],
    TypeError,
    "a bytes-like object is required, not 'int'",
  ],
];

describe("socket methods reject bad arguments as CPython 3.13 does", () => {
  for (const [label, kind, method, args, cls, msg] of METHOD_CASES) {
    const skip = kind === "unix" && lacks(HAS_AF_UNIX, NO_AF_UNIX);
    test.skipIf(skip)(`${label} raises ${PY_NAME.get(cls)} '${msg}'`, () => {
      const s = make(kind);
      const fd = s.fileno();
      expectPyError(
        thrown(() => call(s, method, args())),
        cls,
        msg,
      );
      // Nothing happened to the socket.
      expect(s.fileno()).toBe(fd);
      expect(s.gettimeout()).toBe(2);
    });
    test.skipIf(skip)(
      `${label} is checked before the OS call (same error on a closed socket)`,
      () => {
        const s = make(kind);
        s.close();
        expectPyError(
          thrown(() => call(s, method, args())),
          cls,
          msg,
        );
      },
    );
  }

  test.skipIf(
    lacks(HAS_AF_UNIX, NO_AF_UNIX) || lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS),
  )(
    "AF_UNIX connect('') is the kernel's EINVAL (an OS call: EBADF once closed)",
    () => {
      const s = make("unix");
      expectPyError(
        thrown(() => s.connect("")),
        socket.OSError,
        "[Errno 22] Invalid argument",
        22,
      );
      s.close();
      expectPyError(
        thrown(() => s.connect("")),
        socket.OSError,
        "[Errno 9] Bad file descriptor",
        9,
      );
    },
  );

  test("a TCP socket stays unbound and usable after every rejected bind", () => {
    const s = make("tcp");
    for (const [, kind, method, args] of METHOD_CASES)
      if (kind === "tcp" && method === "bind")
        expect(() => call(s, method, args())).toThrow();
    if (UNBOUND_GETSOCKNAME) expect(s.getsockname()).toEqual(["0.0.0.0", 0]);
    s.bind(["127.0.0.1", 0]);
    expect((s.getsockname() as [string, number])[0]).toBe("127.0.0.1");
  });

  test("a UDP socket still receives after every rejected recv*", () => {
    const s = make("udp");
    s.bind(["127.0.0.1", 0]);
    for (const [, kind, method, args] of METHOD_CASES)
      if (kind === "udp" && method.startsWith("recv"))
        expect(() => call(s, method, args())).toThrow();
    const tx = make("udp");
    tx.sendto(Buffer.from("ok"), s.getsockname() as [string, number]);
    expect(s.recv(10).toString()).toBe("ok");
  });

  test.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))(
    "a rejected AF_UNIX bind creates no file",
    () => {
      using dir = tmpDir();
      const s = make("unix");
      const path = dir.join("y".repeat(200));
      expectPyError(
        thrown(() => s.bind(path)),
        socket.OSError,
        "AF_UNIX path too long",
      );
      expect(s.getsockname()).toBe("");
    },
  );

  test("socket() constructor arguments", () => {
    expectPyError(
      thrown(() => socket.socket("x" as never)),
      TypeError,
      INT_MSG("str"),
    );
    expectPyError(
      thrown(() => socket.socket(socket.AF_INET, "x" as never)),
      TypeError,
      INT_MSG("str"),
    );
    expectPyError(
      thrown(() => socket.socket(2 ** 31)),
      socket.OverflowError,
      "Python int too large to convert to C int",
    );
  });
});

/** [label, function name, args, class, CPython's message, errno]. */
type FnCase = [string, string, unknown[], ErrorClass, string, number?];
const FN_CASES: FnCase[] = [
  [
    "htons(-1)",
    "htons",
    [-1],
    socket.OverflowError,
    "htons: can't convert negative Python int to C 16-bit unsigned integer",
  ],
  [
    "htons(65536)",
    "htons",
    [65536],
    socket.OverflowError,
    "htons: Python int too large to convert to C 16-bit unsigned integer",
  ],
  [
    "htons(1.5) (1.0 is an integer in JS)",
    "htons",
    [1.5],
    TypeError,
    INT_MSG("float"),
  ],
  ["htons('1')", "htons", ["1"], TypeError, INT_MSG("str")],
  [
    "ntohs(2**16)",
    "ntohs",
    [2 ** 16],
    socket.OverflowError,
    "ntohs: Python int too large to convert to C 16-bit unsigned integer",
  ],
  [
    "ntohs(-1)",
    "ntohs",
    [-1],
    socket.OverflowError,
    "ntohs: can't convert negative Python int to C 16-bit unsigned integer",
  ],
  [
    "htonl(-1)",
    "htonl",
    [-1],
    socket.OverflowError,
    "can't convert negative value to unsigned int",
  ],
  [
    "htonl(2**32)",
    "htonl",
    [2 ** 32],
    socket.OverflowError,
    "int larger than 32 bits",
  ],
  [
    "htonl(2**34)",
    "htonl",
    [2 ** 34],
    socket.OverflowError,
    "int larger than 32 bits",
  ],
  ["htonl(1.5)", "htonl", [1.5], TypeError, "expected int, float found"],
  [
    "ntohl(-1)",
    "ntohl",
    [-1],
    socket.OverflowError,
    "can't convert negative value to unsigned int",
  ],
  [
    "ntohl(2**32)",
    "ntohl",
    [2 ** 32],
    socket.OverflowError,
    "int larger than 32 bits",
  ],
  [
    "inet_aton('1.2.3.4.5')",
    "inet_aton",
    ["1.2.3.4.5"],
    socket.OSError,
    "illegal IP address string passed to inet_aton",
  ],
  [
    "inet_aton('')",
    "inet_aton",
    [""],
    socket.OSError,
    "illegal IP address string passed to inet_aton",
  ],
  [
    "inet_aton(1)",
    "inet_aton",
    [1],
    TypeError,
    "inet_aton() argument must be str, not int",
  ],
  [
    "inet_aton('1.2.3.4\\0')",
    "inet_aton",
    ["1.2.3.4\0"],
    socket.ValueError,
    "embedded null character",
  ],
  [
    "inet_ntoa(3 bytes)",
    "inet_ntoa",
    [Buffer.alloc(3)],
    socket.OSError,
    "packed IP wrong length for inet_ntoa",
  ],
  [
    "inet_ntoa(5 bytes)",
    "inet_ntoa",
    [Buffer.alloc(5)],
    socket.OSError,
    "packed IP wrong length for inet_ntoa",
  ],
  [
    "inet_ntoa('1234')",
    "inet_ntoa",
    ["1234"],
    TypeError,
    "a bytes-like object is required, not 'str'",
  ],
  [
    "inet_pton(AF_INET, '1.2.3')",
    "inet_pton",
    [socket.AF_INET, "1.2.3"],
    socket.OSError,
    "illegal IP address string passed to inet_pton",
  ],
  [
    "inet_pton(AF_INET6, '1::2::3')",
    "inet_pton",
    [socket.AF_INET6, "1::2::3"],
    socket.OSError,
    "illegal IP address string passed to inet_pton",
  ],
  [
    "inet_pton(12345, '1.2.3.4')",
    "inet_pton",
    [12345, "1.2.3.4"],
    socket.OSError,
    "[Errno 97] Address family not supported by protocol",
    97,
  ],
  [
    "inet_ntop(AF_INET, 3 bytes)",
    "inet_ntop",
    [socket.AF_INET, Buffer.alloc(3)],
    socket.ValueError,
    "invalid length of packed IP address string",
  ],
  [
    "inet_ntop(AF_INET6, 15 bytes)",
    "inet_ntop",
    [socket.AF_INET6, Buffer.alloc(15)],
    socket.ValueError,
    "invalid length of packed IP address string",
  ],
  [
    "inet_ntop(12345, 4 bytes)",
    "inet_ntop",
    [12345, Buffer.alloc(4)],
    socket.ValueError,
    "unknown address family 12345",
  ],
  [
    "inet_ntop(AF_INET, '1234')",
    "inet_ntop",
    [socket.AF_INET, "1234"],
    TypeError,
    "a bytes-like object is required, not 'str'",
  ],
];

describe("module functions reject bad arguments as CPython 3.13 does", () => {
  for (const [label, name, args, cls, msg, errno] of FN_CASES) {
    // A case with an errno carries Linux's number and text.
    test.skipIf(errno !== undefined && lacks(LINUX_ERRNOS, NO_LINUX_ERRNOS))(
      `${label} raises ${PY_NAME.get(cls)} '${msg}'`,
      () => {
        expectPyError(
          thrown(() => call(socket, name, args)),
          cls,
          msg,
          errno ?? null,
        );
      },
    );
  }

  test("inet_pton(12345, ...) is an EAFNOSUPPORT OSError with code", () => {
    const e = thrown(() => socket.inet_pton(12345, "1.2.3.4"));
    expect((e as socket.OSError).code).toBe("EAFNOSUPPORT");
    if (LINUX_ERRNOS)
      expect((e as socket.OSError).strerror).toBe(
        "Address family not supported by protocol",
      );
  });
});
