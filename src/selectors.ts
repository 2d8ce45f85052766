/**
 * bun-socket/selectors: Python's `selectors` module for Bun: serve many connections from one thread,
 * synchronously.
 *
 * `import * as selectors from "bun-socket/selectors"` gives what Python's `import selectors` gives:
 * `DefaultSelector` (epoll on Linux, poll elsewhere), `SelectSelector`, `PollSelector`,
 * `EpollSelector`, `EVENT_READ`, `EVENT_WRITE`, `SelectorKey`, and the errors they raise
 * (`KeyError` for a duplicate or unknown registration, `ValueError` for bad events or descriptors).
 *
 * @example
 * ```ts
 * import * as socket from "bun-socket";
 * import * as selectors from "bun-socket/selectors";
 * using sel = new selectors.DefaultSelector<(s: socket.socket) => void>();
 * sel.register(listener, selectors.EVENT_READ, accept);
 * for (;;) for (const [key] of sel.select()) key.data(key.fileobj as socket.socket);
 * ```
 * @see https://docs.python.org/3/library/selectors.html
 * @packageDocumentation
 */
// The platform layer checks itself once, on first import (src/platform/selftest.ts).
import "./platform/selftest.ts";
export {
  EVENT_READ,
  EVENT_WRITE,
  SelectorKey,
  SelectorMapping,
  BaseSelector,
  SelectSelector,
  PollSelector,
  EpollSelector,
  KqueueSelector,
  DefaultSelector,
  type SelectorClass,
  type FileObj,
} from "./api/selectors.ts";
export { KeyError, RuntimeError } from "./api/keyerror.ts";
export { OSError, ValueError } from "./api/errors.ts";
