/** Module-level socket functions that build socket objects: `fromfd`, and `has_ipv6`. */
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import { index } from "./args.ts";
import { fromErrno } from "./errors.ts";
import { SocketObject } from "./socket.ts";

/**
 * Python's `socket.fromfd(fd, family, type, proto=0)`: a socket object on a duplicate of `fd`
 * (`fcntl(F_DUPFD_CLOEXEC)`); the original descriptor stays open and yours.
 * @see https://docs.python.org/3/library/socket.html#socket.fromfd
 */
export function fromfd(
  fd: number,
  family: number,
  type: number,
  proto = 0,
): SocketObject {
  const n = C.dup(index(fd));
  if (n < 0) throw fromErrno(-n);
  return new SocketObject(family, type, proto, n);
}

/** Whether this OS can create AF_INET6 sockets, probed once at load (Python's `socket.has_ipv6`). */
export const has_ipv6: boolean = (() => {
  const fd = C.socket(plat.consts.AF_INET6, plat.consts.SOCK_STREAM, 0, false);
  if (fd < 0) return false;
  C.close(fd);
  return true;
})();
