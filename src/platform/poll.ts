/**
 * `poll(2)` over many descriptors: a growable, ArrayBuffer-backed `struct pollfd` array that stays put
 * between calls, and one wait that retries EINTR with the time left (PEP 475), as CPython's
 * `select.poll.poll()` and `select.select()` do. Returns counts or `-errno`; never throws OSError.
 */
import { plat } from "../ffi/index.ts";
import { now } from "./wait.ts";

const sys = plat.sys;
const P = plat.layout.pollfd;
const EINTR = plat.errnos.EINTR;

/** Largest C `int`: the most milliseconds one `poll(2)` call takes. */
const INT_MAX = 0x7fffffff;

/**
 * Milliseconds for one `poll`/`epoll_wait` call from a relative timeout in nanoseconds, rounded up
 * (CPython `_PyTime_AsMilliseconds(t, _PyTime_ROUND_CEILING)`), clamped to a C `int`.
 */
export function ceilMs(ns: number): number {
  return Math.min(Math.ceil(ns / 1e6), INT_MAX);
}

/**
 * A `struct pollfd[]` in memory that does not move (`new ArrayBuffer`, oven-sh/bun#32054), grown on demand.
 * Entries are written with {@link PollList.set}; `poll(2)` fills `revents`, read with {@link PollList.revents}.
 *
 * Layout per entry (see `plat.layout.pollfd`): Linux/macOS `int fd@0, short events@4, short revents@6` (8);
 * Windows `SOCKET fd@0 (8 bytes), short events@8, short revents@10` (16).
 */
export class PollList {
  #bytes: Uint8Array;
  #view: DataView;
  #i16: Int16Array;
  /** Descriptors as set, mirrored on the JS side so reading them back needs no struct access. */
  #fds: Int32Array;
  #capacity: number;

  constructor(capacity = 64) {
    this.#capacity = 0;
    this.#bytes = new Uint8Array(0);
    this.#view = new DataView(this.#bytes.buffer);
    this.#i16 = new Int16Array(0);
    this.#fds = new Int32Array(0);
    this.reserve(capacity);
  }

  /** Entries the array can hold without growing. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Makes room for `n` entries, keeping the first `keep` entries (default: none). */
  reserve(n: number, keep = 0): void {
    if (n <= this.#capacity) return;
    let cap = Math.max(this.#capacity * 2, 16);
    while (cap < n) cap *= 2;
    const bytes = new Uint8Array(new ArrayBuffer(cap * P.size));
    const fds = new Int32Array(new ArrayBuffer(cap * 4));
    if (keep > 0) {
      bytes.set(this.#bytes.subarray(0, keep * P.size));
      fds.set(this.#fds.subarray(0, keep));
    }
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer);
    this.#i16 = new Int16Array(bytes.buffer);
    this.#fds = fds;
    this.#capacity = cap;
  }

  /** Writes entry `i`: the descriptor, the events asked for, and `revents` cleared. */
  set(i: number, fd: number, events: number): void {
    const o = i * P.size;
    if (P.fdSize === 4) this.#view.setInt32(o + P.fd, fd, true);
    else this.#view.setBigInt64(o + P.fd, BigInt(fd), true);
    this.#view.setInt16(o + P.events, events, true);
    this.#view.setInt16(o + P.revents, 0, true);
    this.#fds[i] = fd;
  }

  /** The descriptor of entry `i`. */
  fd(i: number): number {
    return this.#fds[i]!;
  }

  /** The events the kernel reported for entry `i` after {@link pollList} (masked to 16 bits, as CPython). */
  revents(i: number): number {
    return this.#i16[(i * P.size + P.revents) >> 1]! & 0xffff;
  }

  /** The struct array itself, for the `poll(2)` call. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }
}

/**
 * `poll(2)` on the first `n` entries of `list`, waiting at most `timeoutNs` nanoseconds (`< 0`: no limit).
 * The first call waits `ceilMs(timeoutNs)`; after EINTR it waits again with the time left until the
 * deadline, and returns 0 once that has passed (CPython `poll_poll_impl`, `select_select_impl`).
 * Returns the number of entries with `revents` set, or `-errno`.
 */
export function pollList(list: PollList, n: number, timeoutNs: number): number {
  let ms = timeoutNs < 0 ? -1 : ceilMs(timeoutNs);
  const deadline = timeoutNs < 0 ? 0 : now() + timeoutNs;
  for (;;) {
    const r = sys.poll(list.bytes, n, ms);
    if (r >= 0) return r;
    const e = sys.lastError();
    if (e !== EINTR) return -e;
    if (timeoutNs >= 0) {
      const left = deadline - now();
      if (left < 0) return 0;
      ms = ceilMs(left);
    }
  }
}
