/**
 * Linux `epoll(7)`: create, control and wait, with `struct epoll_event` arrays in memory that does not move.
 * Every function returns a result `>= 0` or `-errno` (ENOSYS where the OS has no epoll); never throws.
 * `epollWait` retries EINTR with the time left (PEP 475), as CPython's `select.epoll.poll()`.
 */
import { plat } from "../ffi/index.ts";
import { ceilMs } from "./poll.ts";
import { now } from "./wait.ts";

const sys = plat.sys;
const E = plat.errnos;
// EPOLL* exist on Linux only; this code runs only where `plat.features.epoll` says they do.
const K = plat.selectConsts as Readonly<
  Record<keyof typeof plat.selectConsts, number>
>;
// struct epoll_event: x86-64 packs it (12 bytes, data@4); arm64 aligns it (16 bytes, data@8).
const EV = plat.layout.epollEvent ?? { size: 16, events: 0, data: 8 };

/** `op` of {@link epollCtl}: add a descriptor (EEXIST when it is already there). */
export const EPOLL_CTL_ADD: number = K.EPOLL_CTL_ADD;
/** `op` of {@link epollCtl}: change a registered descriptor's events (ENOENT when it is not there). */
export const EPOLL_CTL_MOD: number = K.EPOLL_CTL_MOD;
/** `op` of {@link epollCtl}: remove a descriptor (ENOENT when it is not there, EBADF once closed). */
export const EPOLL_CTL_DEL: number = K.EPOLL_CTL_DEL;

// The one event epoll_ctl reads; it never moves (ArrayBuffer-backed) and is fully rewritten per call.
const ctlEvent = new Uint8Array(new ArrayBuffer(16));
const ctlView = new DataView(ctlEvent.buffer);

/** `epoll_create1(EPOLL_CLOEXEC)`: a new epoll descriptor (never inherited by children), or `-errno`. */
export function epollCreate(): number {
  if (!sys.epoll_create1) return -E.ENOSYS;
  const fd = sys.epoll_create1(K.EPOLL_CLOEXEC);
  return fd < 0 ? -sys.lastError() : fd;
}

/**
 * `epoll_ctl(epfd, op, fd, {events, data.fd = fd})`: 0 or `-errno`. For `EPOLL_CTL_DEL` the event is
 * still passed (kernels before 2.6.9 required it), with `events` 0, as CPython does.
 */
export function epollCtl(
  epfd: number,
  op: number,
  fd: number,
  events: number,
): number {
  if (!sys.epoll_ctl) return -E.ENOSYS;
  ctlEvent.fill(0);
  ctlView.setUint32(EV.events, events >>> 0, true);
  ctlView.setInt32(EV.data, fd, true); // data.fd: the low 32 bits of the u64 union (little-endian)
  const r = sys.epoll_ctl(epfd, op, fd, ctlEvent);
  return r < 0 ? -sys.lastError() : 0;
}

/**
 * A `struct epoll_event[]` that `epoll_wait(2)` fills, grown on demand and never moved while in use.
 * Read entry `i` of the last wait with {@link EpollEvents.fd} and {@link EpollEvents.events}.
 */
export class EpollEvents {
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));
  #capacity = 0;

  constructor(capacity = 64) {
    this.reserve(capacity);
  }

  /** Makes room for `n` events (contents are not kept). */
  reserve(n: number): void {
    if (n <= this.#capacity) return;
    let cap = Math.max(this.#capacity * 2, 16);
    while (cap < n) cap *= 2;
    this.#bytes = new Uint8Array(new ArrayBuffer(cap * EV.size));
    this.#view = new DataView(this.#bytes.buffer);
    this.#capacity = cap;
  }

  /** Events the array can hold. */
  get capacity(): number {
    return this.#capacity;
  }

  /** `data.fd` of event `i`: the descriptor registered by {@link epollCtl}. */
  fd(i: number): number {
    return this.#view.getInt32(i * EV.size + EV.data, true);
  }

  /** The `events` mask of event `i` (an unsigned 32-bit number). */
  events(i: number): number {
    return this.#view.getUint32(i * EV.size + EV.events, true);
  }

  /** The struct array itself, for the `epoll_wait(2)` call. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }
}

/**
 * `epoll_wait(epfd, evs, maxevents, ms)`, waiting at most `timeoutNs` nanoseconds (`< 0`: no limit; the
 * first call waits `ms`, which the caller computed with CPython's rounding). After EINTR it waits
 * again with the time left, and returns 0 once the deadline has passed. `evs` must hold `maxevents`.
 * Returns the number of events, or `-errno`.
 */
export function epollWait(
  epfd: number,
  evs: EpollEvents,
  maxevents: number,
  ms: number,
  timeoutNs: number,
): number {
  const wait = sys.epoll_wait;
  if (!wait) return -E.ENOSYS;
  const deadline = timeoutNs < 0 ? 0 : now() + timeoutNs;
  for (;;) {
    const r = wait(epfd, evs.bytes, maxevents, ms);
    if (r >= 0) return r;
    const e = sys.lastError();
    if (e !== E.EINTR) return -e;
    if (timeoutNs >= 0) {
      const left = deadline - now();
      if (left < 0) return 0;
      ms = ceilMs(left);
    }
  }
}
