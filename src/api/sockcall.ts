/** The one wait/retry/deadline loop every socket I/O call goes through (CPython's `sock_call_ex`). */
import { plat } from "../ffi/index.ts";
import { now, WAIT_READ, waitFd } from "../platform/wait.ts";
import { fromErrno, timedOut } from "./errors.ts";

const EINTR = plat.errnos.EINTR;
const EAGAIN = plat.errnos.EAGAIN;
const EWOULDBLOCK = plat.errnos.EWOULDBLOCK;

/**
 * One OS call: returns the result (>= 0) or `-code`. Implementations are module-level functions
 * (no closure per call); `a`..`e` carry the call's arguments.
 */
// Internal only: the argument slots differ per call, so they are loosely typed here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Impl = (
  fd: number,
  a: any,
  b: any,
  c: any,
  d: any,
  e: any,
) => number;

/**
 * Runs `impl` on `fd` with CPython's semantics for a socket whose timeout is `timeout` seconds
 * (-1 blocking, 0 non-blocking, > 0 timeout mode):
 * - the call is tried first; it waits only when it would block (one syscall when data is ready);
 * - EINTR is retried, in every mode, with the time left (PEP 475);
 * - in timeout mode EAGAIN waits for `events` until one deadline for the whole call, then raises
 *   `TimeoutError("timed out")`;
 * - any other error raises the OSError subclass for its errno.
 * `deadlineNs` > 0 shares a deadline already running (sendall); 0 starts one when first needed.
 *
 * Reads in timeout mode adapt: once a read on a descriptor would have blocked, the next read on it waits
 * first (request/response traffic: poll + recv instead of recv + poll + recv), until a read fills the whole
 * buffer again (streaming traffic: straight back to recv alone).
 */
export function sockCall(
  fd: number,
  timeout: number,
  events: number,
  impl: Impl,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
  deadlineNs = 0,
): number {
  if (
    timeout > 0 &&
    events === WAIT_READ &&
    fd < WAIT_FIRST_FDS &&
    waitFirst[fd] === 1
  )
    return readWaitingFirst(fd, timeout, impl, a, b, c, d, e);
  const r = impl(fd, a, b, c, d, e);
  if (r >= 0) return r;
  return retry(r, fd, timeout, events, impl, a, b, c, d, e, deadlineNs);
}

// Per descriptor: 1 when its last read in timeout mode found nothing to read (so the next one polls first).
const WAIT_FIRST_FDS = 65536;
const waitFirst = new Uint8Array(WAIT_FIRST_FDS);

function readWaitingFirst(
  fd: number,
  timeout: number,
  impl: Impl,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  e: unknown,
): number {
  const deadline = now() + timeout * 1e9;
  const w = waitFd(fd, WAIT_READ, deadline);
  if (w === 0) throw timedOut();
  if (w < 0) throw fromErrno(-w);
  const r = impl(fd, a, b, c, d, e);
  if (r >= 0) {
    // A full buffer means more is likely queued: go back to trying the call first.
    if (r === b) waitFirst[fd] = 0;
    return r;
  }
  return retry(r, fd, timeout, WAIT_READ, impl, a, b, c, d, e, deadline);
}

function retry(
  r: number,
  fd: number,
  timeout: number,
  events: number,
  impl: Impl,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  e: unknown,
  deadlineNs: number,
): number {
  let deadline = deadlineNs;
  for (;;) {
    const code = -r;
    if (code === EINTR) {
      // Retry at once; a pending deadline is checked on the next wait.
    } else if (timeout > 0 && (code === EAGAIN || code === EWOULDBLOCK)) {
      if (events === WAIT_READ && fd < WAIT_FIRST_FDS) waitFirst[fd] = 1;
      if (deadline === 0) deadline = now() + timeout * 1e9;
      const w = waitFd(fd, events, deadline);
      if (w === 0) throw timedOut();
      if (w < 0) throw fromErrno(-w);
    } else {
      throw fromErrno(code);
    }
    r = impl(fd, a, b, c, d, e);
    if (r >= 0) return r;
  }
}

/** A deadline `timeout` seconds from now (monotonic ns), or -1 for none (blocking / non-blocking). */
export function deadlineFor(timeout: number): number {
  return timeout > 0 ? now() + timeout * 1e9 : -1;
}
