/**
 * bun-socket: Python's `socket` module for Bun, blocking and synchronous, on bun:ffi over libc.
 *
 * `import * as socket from "bun-socket"` gives what Python's `import socket` gives:
 * `socket.socket(...)`, `socket.AF_INET`, `socket.error`, `socket.getaddrinfo(...)`, ...
 *
 * @see https://docs.python.org/3/library/socket.html
 * @packageDocumentation
 */
// The platform layer checks itself once, on first import (src/platform/selftest.ts).
import "./platform/selftest.ts";
import { SocketObject } from "./api/socket.ts";
import { OSError, TimeoutError } from "./api/errors.ts";

/** Constructor of Python's socket class: callable with or without `new`, and subclassable. */
export interface SocketClass {
  new (
    family?: number | null,
    type?: number | null,
    proto?: number | null,
    fileno?: number | null,
  ): SocketObject;
  (
    family?: number | null,
    type?: number | null,
    proto?: number | null,
    fileno?: number | null,
  ): SocketObject;
  readonly prototype: SocketObject;
}

/**
 * Python's `socket.socket(family = AF_INET, type = SOCK_STREAM, proto = 0, fileno = null)`:
 * creates a socket object (`socket(2)`, close-on-exec), or adopts the descriptor `fileno`.
 * Works with and without `new`; `s instanceof socket.socket` holds.
 * @example
 * ```ts
 * import * as socket from "bun-socket";
 * using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
 * s.sendto("ping", ["127.0.0.1", 9999]);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.socket
 */
export const socket: SocketClass = function socket(
  this: unknown,
  family?: number | null,
  type?: number | null,
  proto?: number | null,
  fileno?: number | null,
): SocketObject {
  // A plain function rather than a Proxy: the apply trap cost ~1 µs per socket (bench C).
  if (new.target === undefined || new.target === socket)
    return new SocketObject(family, type, proto, fileno);
  return Reflect.construct(
    SocketObject,
    [family, type, proto, fileno],
    new.target,
  ) as SocketObject;
} as unknown as SocketClass;
(socket as unknown as { prototype: object }).prototype = SocketObject.prototype;
/** The socket object's type, as Python's `socket.socket` instances. */
export type socket = SocketObject;

/** Python's `socket.SocketType`: the same class as `socket.socket`. */
export const SocketType: SocketClass = socket;
/** Python's `socket.SocketType`, as a type. */
export type SocketType = SocketObject;

/** Python's `socket.error`: an alias of `OSError`. */
export const error: typeof OSError = OSError;
/** Python's `socket.error`, as a type. */
export type error = OSError;
/** Python's `socket.timeout`: an alias of `TimeoutError` (Python 3.10+). */
export const timeout: typeof TimeoutError = TimeoutError;
/** Python's `socket.timeout`, as a type. */
export type timeout = TimeoutError;

export { SocketObject } from "./api/socket.ts";
export { getdefaulttimeout, setdefaulttimeout } from "./api/socket.ts";
export {
  OSError,
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  InterruptedError,
  IsADirectoryError,
  MemoryError,
  NotADirectoryError,
  OverflowError,
  PermissionError,
  ProcessLookupError,
  TimeoutError,
  ValueError,
  gaierror,
  herror,
} from "./api/errors.ts";
export {
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
} from "./api/convert.ts";
export {
  AddressFamily,
  AddressInfo,
  CMSG_LEN,
  CMSG_SPACE,
  ExceptionGroup,
  MsgFlag,
  SocketKind,
  close,
  create_connection,
  create_server,
  dup,
  fromfd,
  fromshare,
  has_dualstack_ipv6,
  has_ipv6,
  recv_fds,
  send_fds,
  socketpair,
  type CreateConnectionOptions,
  type CreateServerOptions,
  type IntEnumMap,
} from "./api/functions.ts";
export {
  BufferedSocketFile,
  SocketIO,
  TextSocketFile,
  type SocketFile,
} from "./api/files.ts";
export type { TextOptions } from "./api/makefile.ts";
export type { FileLike, SendfileSource } from "./api/sendfile.ts";
export {
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getnameinfo,
  getprotobyname,
  getservbyname,
  getservbyport,
  if_indextoname,
  if_nameindex,
  if_nametoindex,
  type AddrInfo,
  type HostInfo,
} from "./api/dns.ts";
export type {
  Address,
  AddressOut,
  Inet4Address,
  Inet6Address,
  UnixAddress,
} from "./api/address.ts";
export type { BytesLike } from "./api/args.ts";
export * from "./api/constants.ts";
export { ssl } from "./api/ssl-seed.ts";
export type { SSLType, SeedSslOptions } from "./api/ssl.ts";
