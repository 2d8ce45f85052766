/** Module-level socket functions that build socket objects: `fromfd`, and `has_ipv6`. */
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import type * as Msg from "../platform/msg.ts";
import type { Address, AddressOut } from "./address.ts";
import {
  bytes,
  cInt,
  index,
  iterable,
  optionsArg,
  pyArgType,
  type BytesLike,
} from "./args.ts";
import { getaddrinfo } from "./dns.ts";
import {
  BlockingIOError,
  ConnectionError,
  fromErrno,
  InterruptedError,
  OSError,
  OverflowError,
  ValueError,
} from "./errors.ts";
import { msg, SocketObject } from "./socket.ts";

/**
 * Python's `socket.fromfd(fd, family, type, proto=0)`: a socket object on a duplicate of `fd`
 * (`fcntl(F_DUPFD_CLOEXEC)`); the original descriptor stays open and yours.
 * @example
 * ```ts
 * using s = socket.fromfd(3, socket.AF_INET, socket.SOCK_STREAM); // an inherited listening socket
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.fromfd
 */
export function fromfd(
  fd: number,
  family: number,
  type: number,
  proto = 0,
): SocketObject {
  const n = C.dup(fdArg(fd));
  if (n < 0) throw fromErrno(-n);
  return new SocketObject(family, type, proto, n);
}

/**
 * A descriptor number argument: `__index__`, and any value outside C `int` becomes -1 so the OS
 * answers EBADF. The FFI would otherwise truncate 2**40 to 0 and close or dup stdin.
 * DIFFERS FROM CPYTHON: CPython's socket.close() truncates the same way (close(2**40) closes fd 0).
 */
function fdArg(fd: unknown): number {
  const n = index(fd);
  return n > 0x7fffffff || n < -0x80000000 ? -1 : n;
}

/** Whether this OS can create AF_INET6 sockets, probed once at load (Python's `socket.has_ipv6`). */
export const has_ipv6: boolean = (() => {
  const fd = C.socket(plat.consts.AF_INET6, plat.consts.SOCK_STREAM, 0, false);
  if (fd < 0) return false;
  C.close(fd);
  return true;
})();

/**
 * Python's `socket.socketpair(family = AF_UNIX, type = SOCK_STREAM, proto = 0)`: two connected sockets,
 * from `socketpair(2)`, close-on-exec, with the default timeout.
 *
 * Platform notes: where the OS has no `socketpair()` (Windows) this is CPython's fallback: the default family
 * is AF_INET, and the pair is a TCP connection over loopback (127.0.0.1 or ::1) whose two ends are checked to
 * be each other's peer ("Unexpected peer connection" otherwise); only SOCK_STREAM and protocol 0 are accepted.
 * @example
 * ```ts
 * const [a, b] = socket.socketpair();
 * a.sendall("ping");
 * console.log(b.recv(4).toString()); // "ping"
 * a.close();
 * b.close();
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.socketpair
 */
export function socketpair(
  family?: number | null,
  type?: number | null,
  proto = 0,
): [SocketObject, SocketObject] {
  const fam =
    family === null || family === undefined
      ? plat.features.socketpair
        ? plat.consts.AF_UNIX
        : plat.consts.AF_INET
      : cInt(family);
  const typ =
    type === null || type === undefined ? plat.consts.SOCK_STREAM : cInt(type);
  const pro = cInt(proto);
  if (!plat.features.socketpair) return loopbackPair(fam, typ, pro);
  const sv = new Int32Array(new ArrayBuffer(8));
  const r = C.socketpair(fam, typ, pro, false, sv);
  if (r < 0) throw fromErrno(-r);
  const a = new SocketObject(fam, typ, pro, sv[0]!);
  const b = new SocketObject(fam, typ, pro, sv[1]!);
  return [a, b];
}

/** Two addresses from getsockname/getpeername are the same (element by element). */
function sameAddress(a: AddressOut, b: AddressOut): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** CPython's `socket._fallback_socketpair` (Lib/socket.py), for an OS without `socketpair()`: `[ssock, csock]`. */
function loopbackPair(
  family: number,
  type: number,
  proto: number,
): [SocketObject, SocketObject] {
  const K = plat.consts;
  let host: string;
  if (family === K.AF_INET) host = "127.0.0.1";
  else if (family === K.AF_INET6) host = "::1";
  else
    throw new ValueError(
      "Only AF_INET and AF_INET6 socket address families are supported",
    );
  if (type !== K.SOCK_STREAM)
    throw new ValueError("Only SOCK_STREAM socket type is supported");
  if (proto !== 0) throw new ValueError("Only protocol zero is supported");
  // A connected TCP socket, with setblocking(false) so that no thread is needed (CPython's trick).
  const lsock = new SocketObject(family, type, proto);
  let ssock: SocketObject;
  let csock: SocketObject;
  try {
    lsock.bind([host, 0]);
    lsock.listen();
    const [addr, port] = lsock.getsockname() as [string, number];
    csock = new SocketObject(family, type, proto);
    try {
      csock.setblocking(false);
      try {
        csock.connect([addr, port]);
      } catch (e) {
        if (!(e instanceof BlockingIOError || e instanceof InterruptedError))
          throw e;
      }
      csock.setblocking(true);
      [ssock] = lsock.accept();
    } catch (e) {
      csock.close();
      throw e;
    }
  } finally {
    lsock.close();
  }
  // Authenticate: the accepted connection must be ours, not another local process's.
  try {
    if (
      !sameAddress(ssock.getsockname(), csock.getpeername()) ||
      !sameAddress(csock.getsockname(), ssock.getpeername())
    )
      throw new ConnectionError("Unexpected peer connection");
  } catch (e) {
    ssock.close();
    csock.close();
    throw e;
  }
  return [ssock, csock];
}

/**
 * Python's `ExceptionGroup`: several errors at once (`create_connection(..., { all_errors: true })`).
 * An `AggregateError`; `exceptions` holds the errors in order.
 * @example
 * ```ts
 * try {
 *   socket.create_connection(["localhost", 1], null, null, { all_errors: true });
 * } catch (e) {
 *   if (e instanceof socket.ExceptionGroup) for (const err of e.exceptions) console.log(err.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#ExceptionGroup
 */
export class ExceptionGroup extends AggregateError {
  /** The errors, as Python's `ExceptionGroup.exceptions`. */
  readonly exceptions: readonly Error[];
  constructor(message: string, exceptions: Error[]) {
    super(
      exceptions,
      `${message} (${exceptions.length} sub-exception${exceptions.length === 1 ? "" : "s"})`,
    );
    this.exceptions = exceptions;
  }
}
Object.defineProperty(ExceptionGroup.prototype, "name", {
  value: "ExceptionGroup",
  configurable: true,
  writable: true,
});

/** Options of `create_connection`, as Python's keyword arguments. */
export interface CreateConnectionOptions {
  /** Raise an `ExceptionGroup` of every failed attempt instead of the last error. */
  all_errors?: boolean;
}

/**
 * Python's `socket.create_connection(address, timeout?, source_address?, *, all_errors=False)`: tries each
 * `getaddrinfo(host, port, 0, SOCK_STREAM)` result in order until one connects. Without `timeout` (undefined)
 * the default timeout applies; `null` means blocking. Raises the last error, or an `ExceptionGroup`.
 * @example
 * ```ts
 * using s = socket.create_connection(["localhost", 8080], 5);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.create_connection
 */
export function create_connection(
  address: [host: string | null, port: number | string],
  timeout?: number | null,
  source_address?: Address | null,
  opts: CreateConnectionOptions | null = {},
): SocketObject {
  const options = optionsArg(opts, "create_connection");
  if (!Array.isArray(address) || address.length !== 2)
    throw new TypeError(
      "create_connection() address must be a pair (host, port)",
    );
  const [host, port] = address;
  const errors: Error[] = [];
  for (const [af, socktype, proto, , sa] of getaddrinfo(
    host,
    port,
    0,
    plat.consts.SOCK_STREAM,
  )) {
    let sock: SocketObject | null = null;
    try {
      sock = new SocketObject(af, socktype, proto);
      if (timeout !== undefined) sock.settimeout(timeout);
      if (source_address) sock.bind(source_address);
      sock.connect(sa as Address);
      return sock;
    } catch (e) {
      if (!(e instanceof OSError)) {
        sock?.close();
        throw e;
      }
      if (!options.all_errors) errors.length = 0;
      errors.push(e);
      sock?.close();
    }
  }
  if (errors.length) {
    if (!options.all_errors) throw errors[0];
    throw new ExceptionGroup("create_connection failed", errors);
  }
  throw new OSError("getaddrinfo returns an empty list");
}

/**
 * Python's `socket.has_dualstack_ipv6()`: whether an AF_INET6 socket can take IPv4 connections too
 * (IPV6_V6ONLY can be cleared).
 * @example
 * ```ts
 * const family = socket.has_dualstack_ipv6() ? socket.AF_INET6 : socket.AF_INET;
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.has_dualstack_ipv6
 */
export function has_dualstack_ipv6(): boolean {
  if (!has_ipv6) return false;
  try {
    using s = new SocketObject(plat.consts.AF_INET6, plat.consts.SOCK_STREAM);
    s.setsockopt(plat.consts.IPPROTO_IPV6, plat.consts.IPV6_V6ONLY, 0);
    return true;
  } catch (e) {
    if (e instanceof OSError) return false;
    throw e;
  }
}

/** Options of `create_server`, as Python's keyword arguments. */
export interface CreateServerOptions {
  /** Address family (default AF_INET). */
  family?: number;
  /** `listen()` backlog (default: `listen()`'s default). */
  backlog?: number | null;
  /** Set SO_REUSEPORT. */
  reuse_port?: boolean;
  /** Accept IPv4 and IPv6 on one AF_INET6 socket (clears IPV6_V6ONLY). */
  dualstack_ipv6?: boolean;
}

/**
 * Python's `socket.create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
 * dualstack_ipv6=False)`: a listening TCP socket. Sets SO_REUSEADDR (POSIX), IPV6_V6ONLY on AF_INET6 unless
 * dualstack, binds and listens; a bind error names the address.
 * @throws ValueError for an unsupported option; OSError "[Errno 98] Address already in use (while attempting
 *   to bind on address ('127.0.0.1', 8080))"
 * @example
 * ```ts
 * using server = socket.create_server(["", 8080], { reuse_port: true });
 * const [conn, addr] = server.accept();
 * console.log("connection from", addr);
 * conn.close();
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.create_server
 */
export function create_server(
  address: Address,
  opts: CreateServerOptions | null = {},
): SocketObject {
  const options = optionsArg(opts, "create_server");
  const K = plat.consts;
  const family = options.family ?? K.AF_INET;
  const SO_REUSEPORT = K.SO_REUSEPORT;
  if (options.reuse_port && SO_REUSEPORT === undefined)
    throw new ValueError("SO_REUSEPORT not supported on this platform");
  if (options.dualstack_ipv6) {
    if (!has_dualstack_ipv6())
      throw new ValueError("dualstack_ipv6 not supported on this platform");
    if (family !== K.AF_INET6)
      throw new ValueError("dualstack_ipv6 requires AF_INET6 family");
  }
  const sock = new SocketObject(family, K.SOCK_STREAM);
  try {
    // CPython: not on Windows, where SO_REUSEADDR would let another socket take the port.
    if (!plat.features.soReuseAddrSteals) {
      try {
        sock.setsockopt(K.SOL_SOCKET, K.SO_REUSEADDR, 1);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
      }
    }
    if (options.reuse_port && SO_REUSEPORT !== undefined)
      sock.setsockopt(K.SOL_SOCKET, SO_REUSEPORT, 1);
    if (has_ipv6 && family === K.AF_INET6)
      sock.setsockopt(
        K.IPPROTO_IPV6,
        K.IPV6_V6ONLY,
        options.dualstack_ipv6 ? 0 : 1,
      );
    try {
      sock.bind(address);
    } catch (e) {
      if (e instanceof OSError && e.errno !== null)
        throw new OSError(
          e.errno,
          `${e.strerror} (while attempting to bind on address ${pyRepr(address)})`,
        );
      throw e;
    }
    if (options.backlog === null || options.backlog === undefined)
      sock.listen();
    else sock.listen(options.backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** Python's repr of an address argument: `('127.0.0.1', 8080)` or `'/path'`. */
function pyRepr(a: unknown): string {
  if (typeof a === "string") return `'${a}'`;
  if (Array.isArray(a)) return `(${a.map(pyRepr).join(", ")})`;
  return String(a);
}

/**
 * Python's `socket.close(fd)`: closes a socket descriptor (`close(2)`).
 * @example
 * ```ts
 * const fd = s.detach();
 * socket.close(fd);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.close
 */
export function close(fd: number): void {
  const r = C.close(fdArg(fd));
  if (r < 0) throw fromErrno(-r);
}

/**
 * Python's `socket.dup(fd)`: a non-inheritable duplicate of a socket descriptor (`fcntl(F_DUPFD_CLOEXEC)`).
 * @example
 * ```ts
 * const fd2 = socket.dup(s.fileno());
 * socket.close(fd2);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.dup
 */
export function dup(fd: number): number {
  const r = C.dup(fdArg(fd));
  if (r < 0) throw fromErrno(-r);
  return r;
}

/**
 * Python's `socket.fromshare(data)`: the socket another process described with `socket.share(pid)`
 * (Winsock's `WSASocketW(FROM_PROTOCOL_INFO, ...)`), its family, type and protocol read from the socket.
 *
 * Platform notes: Windows only, as in CPython; elsewhere it raises OSError EOPNOTSUPP.
 * @example
 * ```ts
 * // Windows: the other process called s.share(pid)
 * using s = socket.fromshare(data);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.fromshare
 */
export function fromshare(data: BytesLike): SocketObject {
  const fd = C.fromShare(bytes(data));
  if (fd < 0) throw fromErrno(-fd);
  const info = C.socketInfo(fd);
  if (info === null) {
    C.close(fd);
    throw fromErrno(plat.errnos.EINVAL);
  }
  return new SocketObject(info[0], info[1], info[2], fd);
}

/** CPython's "n" argument format: an index that must fit a C `Py_ssize_t`. */
function ssizeT(x: unknown): number {
  const n = index(x);
  if (n >= 2 ** 63 || n < -(2 ** 63))
    throw new OverflowError("Python int too large to convert to C ssize_t");
  return n;
}

/** Largest `socklen_t`-sized value CPython allows for CMSG_LEN/CMSG_SPACE results. */
const SOCKLEN_LIMIT = 0x7fffffff;

/**
 * Python's `socket.CMSG_LEN(length)`: the `cmsg_len` of a control message with `length` data bytes.
 * @throws OverflowError "CMSG_LEN() argument out of range"
 * @example
 * ```ts
 * const len = socket.CMSG_LEN(4); // a control message carrying one 4-byte fd
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.CMSG_LEN
 */
export function CMSG_LEN(length: number): number {
  const n = ssizeT(length);
  if (n < 0 || n > SOCKLEN_LIMIT - msg().cmsgLen(0))
    throw new OverflowError("CMSG_LEN() argument out of range");
  return msg().cmsgLen(n);
}

/**
 * Python's `socket.CMSG_SPACE(length)`: buffer space for a control message with `length` data bytes, padded.
 * @throws OverflowError "CMSG_SPACE() argument out of range"
 * @example
 * ```ts
 * const [data, ancdata] = s.recvmsg(1024, socket.CMSG_SPACE(4 * 8)); // room for up to 8 fds
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.CMSG_SPACE
 */
export function CMSG_SPACE(length: number): number {
  const n = ssizeT(length);
  // CPython's get_CMSG_SPACE: CMSG_SPACE(1) bounds the length, to allow for padding before *and* after the data.
  if (
    n < 0 ||
    n > SOCKLEN_LIMIT - msg().cmsgSpace(1) ||
    msg().cmsgSpace(n) > SOCKLEN_LIMIT
  )
    throw new OverflowError("CMSG_SPACE() argument out of range");
  return msg().cmsgSpace(n);
}

/**
 * Python's `socket.send_fds(sock, buffers, fds, flags=0, address=None)`: sends descriptors over an AF_UNIX
 * socket as SCM_RIGHTS ancillary data with `sendmsg`.
 *
 * DIFFERS FROM CPYTHON: `flags` and `address` are passed on to `sendmsg`; CPython's send_fds (3.9-3.13) accepts
 * them but drops them.
 * @example
 * ```ts
 * const [a, b] = socket.socketpair(socket.AF_UNIX);
 * socket.send_fds(a, [Buffer.from("fd")], [s.fileno()]);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.send_fds
 */
export function send_fds(
  sock: SocketObject,
  buffers: Iterable<BytesLike>,
  fds: Iterable<number>,
  flags = 0,
  address: Address | null = null,
): number {
  sockArg(sock, "send_fds");
  const list = [...iterable(fds)].map((f) => cInt(f));
  const data = new Uint8Array(new Int32Array(list).buffer);
  const SCM_RIGHTS = plat.consts.SCM_RIGHTS;
  // Windows has no descriptor passing (CPython has no send_fds there).
  if (SCM_RIGHTS === undefined) throw fromErrno(plat.errnos.EOPNOTSUPP);
  return sock.sendmsg(
    buffers,
    [[plat.consts.SOL_SOCKET, SCM_RIGHTS, data]],
    flags,
    address,
  );
}

/**
 * Python's `socket.recv_fds(sock, bufsize, maxfds, flags=0)`: `[data, fds, msg_flags, address]`, receiving
 * up to `maxfds` descriptors (SCM_RIGHTS); truncation shows as MSG_CTRUNC in `msg_flags`.
 *
 * DIFFERS FROM CPYTHON: `flags` is passed on to `recvmsg` (e.g. MSG_PEEK, MSG_DONTWAIT); CPython's recv_fds drops it.
 * @example
 * ```ts
 * const [msg, fds] = socket.recv_fds(b, 1024, 8);
 * using received = socket.fromfd(fds[0]!, socket.AF_INET, socket.SOCK_STREAM);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.recv_fds
 */
export function recv_fds(
  sock: SocketObject,
  bufsize: number,
  maxfds: number,
  flags = 0,
): [data: Buffer, fds: number[], msg_flags: number, address: AddressOut] {
  sockArg(sock, "recv_fds");
  const [data, ancdata, mflags, addr] = sock.recvmsg(
    bufsize,
    CMSG_LEN(index(maxfds) * 4),
    flags,
  );
  const fds: number[] = [];
  for (const [level, type, d] of ancdata) {
    if (level === plat.consts.SOL_SOCKET && type === plat.consts.SCM_RIGHTS) {
      const whole = d.length - (d.length % 4);
      for (let i = 0; i < whole; i += 4) fds.push(d.readInt32LE(i));
    }
  }
  return [data, fds, mflags, addr];
}

/** A name ↔ number map like Python's IntEnum classes: `AddressFamily.AF_INET === 2`, `AddressFamily[2] === "AF_INET"`. */
export type IntEnumMap = { readonly [key: string]: number | string };

// One pass over the constants builds all four maps, with no callback per name: this runs cold (interpreted)
// at import, where four filtered Object.entries() scans cost ~2 ms of start-up (bench E) and this ~0.3 ms.
const enumMaps = ((): Record<string, number | string>[] => {
  const maps: Record<string, number | string>[] = [{}, {}, {}, {}];
  const K = plat.consts as Readonly<Record<string, number | undefined>>;
  for (const name in K) {
    const value = K[name];
    if (value === undefined) continue;
    let m: Record<string, number | string>;
    if (name.startsWith("AF_")) m = maps[0]!;
    else if (name.startsWith("SOCK_")) m = maps[1]!;
    else if (name.startsWith("MSG_")) m = maps[2]!;
    else if (name.startsWith("AI_")) m = maps[3]!;
    else continue;
    m[name] = value;
    const key = String(value);
    if (!(key in m)) m[key] = name;
  }
  for (const m of maps) Object.freeze(m);
  return maps;
})();

/** Python's `socket.AddressFamily`: the AF_* constants, both ways. */
export const AddressFamily: IntEnumMap = enumMaps[0]!;
/** Python's `socket.SocketKind`: the SOCK_* constants, both ways. */
export const SocketKind: IntEnumMap = enumMaps[1]!;
/** Python's `socket.MsgFlag`: the MSG_* constants, both ways. */
export const MsgFlag: IntEnumMap = enumMaps[2]!;
/** Python's `socket.AddressInfo`: the AI_* constants, both ways. */
export const AddressInfo: IntEnumMap = enumMaps[3]!;

/** The `sock` argument of send_fds/recv_fds must be a socket object (CPython: AttributeError on `sendmsg`). */
function sockArg(sock: unknown, fn: string): void {
  if (!(sock instanceof SocketObject))
    throw new TypeError(
      `${fn}() argument 'sock' must be a socket object, not ${pyArgType(sock)}`,
    );
}
