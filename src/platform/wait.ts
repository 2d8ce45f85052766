/** Readiness waits with a deadline: `poll(2)` on one descriptor, EINTR retried with the time left. */
import { plat } from "../ffi/index.ts";

const sys = plat.sys;
const K = plat.consts;
const P = plat.layout.pollfd;
const EINTR = plat.errnos.EINTR;

// One pollfd that never moves (its address is read by the kernel during the call).
const pfd = new Uint8Array(new ArrayBuffer(P.size));
const pview = new DataView(pfd.buffer);

/** Events for a read wait, a write wait, and a connect wait (write or error, CPython's `internal_select`). */
export const WAIT_READ = K.POLLIN;
export const WAIT_WRITE = K.POLLOUT;
export const WAIT_CONNECT = K.POLLOUT | K.POLLERR;

/** Monotonic clock in nanoseconds. */
export const now: () => number = Bun.nanoseconds;

/**
 * Waits until `fd` is ready for `events` or the monotonic `deadlineNs` passes (`-1`: no deadline).
 * Returns 1 when ready (including error/hang-up states, which the next call reports), 0 on timeout, or -errno.
 * EINTR is retried with the remaining time recomputed (PEP 475); the wait is rounded up to whole ms.
 */
export function waitFd(fd: number, events: number, deadlineNs: number): number {
  for (;;) {
    let ms = -1;
    if (deadlineNs >= 0) {
      const left = deadlineNs - now();
      if (left <= 0) return 0;
      ms = Math.min(Math.ceil(left / 1e6), 0x7fffffff);
    }
    pfd.fill(0);
    if (P.fdSize === 4) pview.setInt32(P.fd, fd, true);
    else pview.setBigInt64(P.fd, BigInt(fd), true);
    pview.setInt16(P.events, events, true);
    const r = sys.poll(pfd, 1, ms);
    if (r > 0) return 1;
    if (r === 0) {
      // poll may return a little early by the clock; keep waiting until the deadline really passed.
      if (deadlineNs >= 0 && deadlineNs - now() > 0) continue;
      return 0;
    }
    const e = sys.lastError();
    if (e !== EINTR) return -e;
  }
}
