/** Python's exception tree for sockets: OSError and its errno-chosen subclasses, gaierror/herror, ValueError/OverflowError. */
import { plat } from "../ffi/index.ts";
import { errnoName, gaiStrerror, strerror } from "../platform/errno.ts";

/**
 * Python's `OSError` (`socket.error`): an error reported by the OS, or a message-only socket error.
 *
 * Constructed like Python's: `new OSError(errno, strerror)` picks the subclass CPython picks for that errno
 * (`new OSError(111, "...")` is a `ConnectionRefusedError`), and `new OSError("message")` is message-only.
 * `message` is Python's `str(err)`: `[Errno 111] Connection refused`.
 *
 * Platform notes: on Windows a fourth argument is the Windows error code, as in CPython: it sets `winerror`,
 * and `errno` too (a Winsock code such as 10061 as it is, any other through CPython's `winerror_to_errno`);
 * `message` then reads `[WinError 10061] No connection could be made because the target machine actively
 * refused it`. Socket errors on Windows are raised that way, with `errno === winerror`.
 *
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["127.0.0.1", 1]);
 * } catch (e) {
 *   if (e instanceof socket.OSError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#OSError
 */
export class OSError extends Error {
  /** The errno value (`111`), or `null` for a message-only error such as our own timeout. */
  errno!: number | null;
  /** The OS's text for `errno` (`"Connection refused"`), or `null`. */
  strerror!: string | null;
  /** Node-style errno name (`"ECONNREFUSED"`), or `undefined` for message-only errors. */
  code!: string | undefined;
  /** A file name the error concerns (AF_UNIX paths), or `null`. */
  filename!: string | null;
  /** Python's `args` tuple. */
  args!: unknown[];
  /**
   * Bytes a `sendall` had sent before it failed (not in CPython, where that count is lost; bpo-25586).
   * `undefined` for every other operation.
   */
  bytes_sent!: number | undefined;
  /**
   * Windows: the Windows error code the OS reported (`10061`); `undefined` elsewhere (CPython has the attribute
   * on Windows only).
   */
  winerror!: number | undefined;

  constructor(...args: unknown[]) {
    const [first, text, filename, winArg] = args;
    // As CPython: 2 to 5 arguments are (errno, strerror[, filename[, winerror[, filename2]]]).
    const numeric =
      args.length >= 2 && args.length <= 5 && typeof first === "number";
    // The winerror argument counts on Windows only, and then decides errno (CPython's oserror_parse_args).
    const winerror =
      numeric && WINERROR && typeof winArg === "number" ? winArg : undefined;
    const errno = winerror === undefined ? first : winerrorToErrno(winerror);
    if (numeric && new.target === OSError) {
      const Sub = byErrno.get(errno as number);
      if (Sub) return new Sub(...args);
    }
    super(
      numeric
        ? `[${winerror === undefined ? `Errno ${errno}` : `WinError ${winerror}`}] ${String(text)}` +
            (filename != null ? `: '${String(filename)}'` : "")
        : args.length === 0
          ? ""
          : args.length === 1
            ? String(errno)
            : `(${args.map((a) => (typeof a === "string" ? `'${a}'` : String(a))).join(", ")})`,
    );
    this.args = args;
    this.errno = numeric ? (errno as number) : null;
    this.strerror = numeric ? String(text) : null;
    this.filename = numeric && filename != null ? String(filename) : null;
    this.code = numeric ? errnoName(errno as number) : undefined;
    this.bytes_sent = undefined;
    this.winerror = winerror;
  }
}

const WINERROR = plat.features.winerror;
/** Winsock's first error code: codes from here on are Winsock's, and equal their errno (CPython). */
const WSABASEERR = 10000;

/**
 * CPython's `winerror_to_errno` (PC/errmap.h) for the Windows codes this library can meet: Winsock codes
 * (>= 10000) are their own errno; the common system codes map to errno names; anything else is EINVAL.
 */
function winerrorToErrno(winerror: number): number {
  const E = plat.errnos;
  if (winerror >= WSABASEERR) return winerror;
  switch (winerror) {
    case 2: // ERROR_FILE_NOT_FOUND
    case 3: // ERROR_PATH_NOT_FOUND
      return E.ENOENT;
    case 4: // ERROR_TOO_MANY_OPEN_FILES
      return E.EMFILE;
    case 5: // ERROR_ACCESS_DENIED
      return E.EACCES;
    case 6: // ERROR_INVALID_HANDLE
      return E.EBADF;
    case 8: // ERROR_NOT_ENOUGH_MEMORY
    case 14: // ERROR_OUTOFMEMORY
      return E.ENOMEM;
    case 109: // ERROR_BROKEN_PIPE
    case 232: // ERROR_NO_DATA
      return E.EPIPE;
    default:
      return E.EINVAL;
  }
}
Object.defineProperty(OSError.prototype, "name", {
  value: "OSError",
  writable: true,
  configurable: true,
});

/**
 * Sets `cls.prototype.name` (what `String(err)` and stack traces print, `"Error"` otherwise). The class's own
 * `name` is its declaration's, in src/ and in dist/ (scripts/build.ts restores the bundler's renames in the text).
 */
export function named<T extends abstract new (...a: never[]) => unknown>(
  cls: T,
  name: string,
): T {
  Object.defineProperty(cls.prototype, "name", {
    value: name,
    writable: true,
    configurable: true,
  });
  return cls;
}

/**
 * Python's `BlockingIOError`: EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS.
 * @example
 * ```ts
 * try {
 *   s.setblocking(false);
 *   s.recv(1024); // nothing to read yet: EAGAIN
 * } catch (e) {
 *   if (e instanceof socket.BlockingIOError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#BlockingIOError
 */
export class BlockingIOError extends OSError {
  /** Bytes written before the operation would have blocked (Python's `characters_written`). */
  characters_written = 0;
}
named(BlockingIOError, "BlockingIOError");
/**
 * Python's `ChildProcessError`: ECHILD.
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["127.0.0.1", 8080]); // any call that fails with ECHILD
 * } catch (e) {
 *   if (e instanceof socket.ChildProcessError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ChildProcessError
 */
export class ChildProcessError extends OSError {}
named(ChildProcessError, "ChildProcessError");
/**
 * Python's `ConnectionError`: base of the connection failures.
 * @example
 * ```ts
 * try {
 *   s.sendall("hello"); // peer gone: BrokenPipeError, ConnectionResetError, ...
 * } catch (e) {
 *   if (e instanceof socket.ConnectionError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ConnectionError
 */
export class ConnectionError extends OSError {}
named(ConnectionError, "ConnectionError");
/**
 * Python's `BrokenPipeError`: EPIPE, ESHUTDOWN.
 * @example
 * ```ts
 * try {
 *   s.sendall("hello"); // the peer closed its end: EPIPE
 * } catch (e) {
 *   if (e instanceof socket.BrokenPipeError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#BrokenPipeError
 */
export class BrokenPipeError extends ConnectionError {}
named(BrokenPipeError, "BrokenPipeError");
/**
 * Python's `ConnectionAbortedError`: ECONNABORTED.
 * @example
 * ```ts
 * try {
 *   const [conn] = server.accept(); // ECONNABORTED
 * } catch (e) {
 *   if (e instanceof socket.ConnectionAbortedError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ConnectionAbortedError
 */
export class ConnectionAbortedError extends ConnectionError {}
named(ConnectionAbortedError, "ConnectionAbortedError");
/**
 * Python's `ConnectionRefusedError`: ECONNREFUSED.
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["127.0.0.1", 1]); // nothing listens: ECONNREFUSED
 * } catch (e) {
 *   if (e instanceof socket.ConnectionRefusedError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ConnectionRefusedError
 */
export class ConnectionRefusedError extends ConnectionError {}
named(ConnectionRefusedError, "ConnectionRefusedError");
/**
 * Python's `ConnectionResetError`: ECONNRESET.
 * @example
 * ```ts
 * try {
 *   s.recv(1024); // the peer reset the connection: ECONNRESET
 * } catch (e) {
 *   if (e instanceof socket.ConnectionResetError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ConnectionResetError
 */
export class ConnectionResetError extends ConnectionError {}
named(ConnectionResetError, "ConnectionResetError");
/**
 * Python's `FileExistsError`: EEXIST (e.g. binding an existing AF_UNIX path gives EADDRINUSE instead).
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["127.0.0.1", 8080]); // any call that fails with EEXIST
 * } catch (e) {
 *   if (e instanceof socket.FileExistsError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#FileExistsError
 */
export class FileExistsError extends OSError {}
named(FileExistsError, "FileExistsError");
/**
 * Python's `FileNotFoundError`: ENOENT (e.g. connecting to a missing AF_UNIX path).
 * @example
 * ```ts
 * try {
 *   using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
 *   s.connect("/tmp/no-such.sock"); // ENOENT
 * } catch (e) {
 *   if (e instanceof socket.FileNotFoundError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#FileNotFoundError
 */
export class FileNotFoundError extends OSError {}
named(FileNotFoundError, "FileNotFoundError");
/**
 * Python's `InterruptedError`: EINTR (only surfaces from a non-blocking connect; everything else retries).
 * @example
 * ```ts
 * try {
 *   s.connect(["127.0.0.1", 8080]); // EINTR
 * } catch (e) {
 *   if (e instanceof socket.InterruptedError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#InterruptedError
 */
export class InterruptedError extends OSError {}
named(InterruptedError, "InterruptedError");
/**
 * Python's `IsADirectoryError`: EISDIR.
 * @example
 * ```ts
 * try {
 *   using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
 *   s.connect("/tmp"); // EISDIR on some systems
 * } catch (e) {
 *   if (e instanceof socket.IsADirectoryError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#IsADirectoryError
 */
export class IsADirectoryError extends OSError {}
named(IsADirectoryError, "IsADirectoryError");
/**
 * Python's `NotADirectoryError`: ENOTDIR.
 * @example
 * ```ts
 * try {
 *   using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
 *   s.connect("/etc/hosts/x.sock"); // ENOTDIR
 * } catch (e) {
 *   if (e instanceof socket.NotADirectoryError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#NotADirectoryError
 */
export class NotADirectoryError extends OSError {}
named(NotADirectoryError, "NotADirectoryError");
/**
 * Python's `PermissionError`: EACCES, EPERM (e.g. binding a port below 1024 unprivileged).
 * @example
 * ```ts
 * try {
 *   using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
 *   s.bind(["0.0.0.0", 80]); // unprivileged: EACCES
 * } catch (e) {
 *   if (e instanceof socket.PermissionError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#PermissionError
 */
export class PermissionError extends OSError {}
named(PermissionError, "PermissionError");
/**
 * Python's `ProcessLookupError`: ESRCH.
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["127.0.0.1", 8080]); // any call that fails with ESRCH
 * } catch (e) {
 *   if (e instanceof socket.ProcessLookupError) console.log(e.errno, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ProcessLookupError
 */
export class ProcessLookupError extends OSError {}
named(ProcessLookupError, "ProcessLookupError");
/**
 * Python's `TimeoutError` (`socket.timeout`): a socket deadline passed (`message` "timed out", `errno` null),
 * or the kernel reported ETIMEDOUT.
 * @example
 * ```ts
 * using s = socket.create_connection(["example.com", 80], 5);
 * s.settimeout(0.5);
 * try {
 *   s.recv(1024);
 * } catch (e) {
 *   if (e instanceof socket.TimeoutError) console.log("no reply in 0.5 s");
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#TimeoutError
 */
export class TimeoutError extends OSError {}
named(TimeoutError, "TimeoutError");

/**
 * Python's `socket.herror`: errors of the `gethostby*` family, `(h_errno, hstrerror(h_errno))`.
 * @example
 * ```ts
 * try {
 *   socket.gethostbyaddr("192.0.2.1");
 * } catch (e) {
 *   if (e instanceof socket.herror) console.log(e.errno, e.strerror); // h_errno, hstrerror()
 * }
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.herror
 */
export class herror extends OSError {
  constructor(...args: unknown[]) {
    super(...args);
    this.code = undefined;
  }
}
named(herror, "herror");

/**
 * Python's `socket.gaierror`: errors of `getaddrinfo`/`getnameinfo`, `(EAI_* code, gai_strerror(code))`.
 * @example
 * ```ts
 * try {
 *   socket.getaddrinfo("no-such-host.invalid", 80);
 * } catch (e) {
 *   if (e instanceof socket.gaierror) console.log(e.errno === socket.EAI_NONAME, e.strerror);
 * }
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.gaierror
 */
export class gaierror extends OSError {
  constructor(...args: unknown[]) {
    super(...args);
    this.code = undefined;
  }
}
named(gaierror, "gaierror");

/**
 * Python's `ValueError`; a `RangeError` so JS code can catch it as one.
 * @example
 * ```ts
 * try {
 *   socket.socket(socket.AF_INET, socket.SOCK_STREAM).settimeout(-1); // "Timeout value out of range"
 * } catch (e) {
 *   if (e instanceof socket.ValueError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ValueError
 */
export class ValueError extends RangeError {}
named(ValueError, "ValueError");

/**
 * Python's `OverflowError`; a `RangeError` so JS code can catch it as one.
 * @example
 * ```ts
 * try {
 *   socket.htons(70000); // "htons: Python int too large to convert to C 16-bit unsigned integer"
 * } catch (e) {
 *   if (e instanceof socket.OverflowError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#OverflowError
 */
export class OverflowError extends RangeError {}
named(OverflowError, "OverflowError");

/**
 * Python's `MemoryError`: a buffer the caller asked for could not be allocated. A `RangeError`.
 * @example
 * ```ts
 * try {
 *   s.recv(2 ** 40); // the buffer cannot be allocated
 * } catch (e) {
 *   if (e instanceof socket.MemoryError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#MemoryError
 */
export class MemoryError extends RangeError {}
named(MemoryError, "MemoryError");

type OSErrorClass = new (...args: unknown[]) => OSError;
const byErrno = new Map<number, OSErrorClass>();
{
  const table: [OSErrorClass, string[]][] = [
    [BlockingIOError, ["EAGAIN", "EALREADY", "EWOULDBLOCK", "EINPROGRESS"]],
    [ChildProcessError, ["ECHILD"]],
    [BrokenPipeError, ["EPIPE", "ESHUTDOWN"]],
    [ConnectionAbortedError, ["ECONNABORTED"]],
    [ConnectionRefusedError, ["ECONNREFUSED"]],
    [ConnectionResetError, ["ECONNRESET"]],
    [FileExistsError, ["EEXIST"]],
    [FileNotFoundError, ["ENOENT"]],
    [IsADirectoryError, ["EISDIR"]],
    [NotADirectoryError, ["ENOTDIR"]],
    [InterruptedError, ["EINTR"]],
    [PermissionError, ["EACCES", "EPERM", "ENOTCAPABLE"]],
    [ProcessLookupError, ["ESRCH"]],
    [TimeoutError, ["ETIMEDOUT"]],
  ];
  // Resolved against this OS's errno table: the class follows the name, never a hard-coded number.
  const codes: Readonly<Record<string, number>> = plat.errnos;
  for (const [cls, names] of table)
    for (const n of names)
      if (codes[n] !== undefined) byErrno.set(codes[n], cls);
}

/** The OSError (of the right subclass) for an OS error code: `[Errno N] strerror(N)`. */
export function fromErrno(code: number, filename?: string): OSError {
  // Windows: a Winsock code is raised as CPython raises socket errors there, `[WinError N]` with winerror set.
  if (WINERROR && code >= WSABASEERR)
    return new OSError(code, strerror(code), filename ?? null, code, null);
  return filename === undefined
    ? new OSError(code, strerror(code))
    : new OSError(code, strerror(code), filename);
}

/** `socket.timeout("timed out")`, raised when one of our own deadlines passes. */
export function timedOut(): TimeoutError {
  return new TimeoutError("timed out");
}

/** `gaierror(code, gai_strerror(code))`. */
export function fromGaiCode(code: number): gaierror {
  return new gaierror(code, gaiStrerror(code));
}

/** The error of an operation on a closed socket: EBADF (Windows: WSAENOTSOCK, as CPython there). */
export function badFd(): OSError {
  return fromErrno(plat.errnos[plat.features.closedSocket]);
}
