/**
 * bun-socket/select: Python's `select` module for Bun, blocking and synchronous, on bun:ffi.
 *
 * `import * as select from "bun-socket/select"` gives what Python's `import select` gives:
 * `select.select(r, w, x, timeout)`, `select.poll()`, `select.epoll()` (Linux), the `POLL*`/`EPOLL*`
 * constants and `select.error`. They work on bun-socket's sockets, on any object with a `fileno()`
 * method, and on plain descriptor numbers. Timeouts use Python's units: seconds for `select()` and
 * `epoll.poll()`, milliseconds for `poll.poll()`; a signal never cuts a wait short (PEP 475).
 *
 * @example
 * ```ts
 * import * as socket from "bun-socket";
 * import * as select from "bun-socket/select";
 * const [r] = select.select([listener], [], [], 1.0);
 * if (r.length) { const [conn, addr] = listener.accept(); }
 * ```
 * @see https://docs.python.org/3/library/select.html
 * @packageDocumentation
 */
// The platform layer checks itself once, on first import (src/platform/selftest.ts).
import "./platform/selftest.ts";
export {
  select,
  poll,
  epoll,
  error,
  PollObject,
  EpollObject,
  type EpollClass,
  type FileDescriptorLike,
} from "./api/select.ts";
/** Python's `select.epoll` instances, as a type. */
export type epoll = import("./api/select.ts").EpollObject;
/** Python's `select.error` (`OSError`), as a type. */
export type error = import("./api/errors.ts").OSError;
export { KeyError } from "./api/keyerror.ts";
export {
  OSError,
  FileExistsError,
  FileNotFoundError,
  OverflowError,
  ValueError,
} from "./api/errors.ts";
export * from "./api/select-constants.ts";
export {
  kqueue,
  kevent,
  KqueueObject,
  type KqueueClass,
} from "./api/kqueue.ts";
