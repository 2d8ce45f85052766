/**
 * BSD `kqueue(2)`/`kevent(2)` (macOS): create a queue, and one `kevent` call that applies changes and waits for
 * events, with `struct kevent` arrays in memory that does not move. Every function returns a result `>= 0` or
 * `-errno` (ENOSYS where the OS has no kqueue); never throws. The wait retries EINTR with the time left
 * (PEP 475), as CPython's `select.kqueue.control()`.
 * @module
 */
import { plat } from "../ffi/index.ts";
import { now } from "./wait.ts";

const sys = plat.sys;
const E = plat.errnos;
/** `struct kevent` (LP64; see `plat.layout.kevent`): 32 bytes. */
const KE = plat.layout.kevent ?? {
  size: 32,
  ident: 0,
  filter: 8,
  flags: 10,
  fflags: 12,
  data: 16,
  udata: 24,
};

/** One `struct kevent`, as numbers (`udata` is a pointer-sized integer). */
export interface KeventFields {
  ident: number;
  filter: number;
  flags: number;
  fflags: number;
  data: number;
  udata: number;
}

/** `kqueue()`, made close-on-exec (CPython's kqueue objects are not inheritable): the descriptor, or -errno. */
export function kqueueCreate(): number {
  if (!sys.kqueue) return -E.ENOSYS;
  const kq = sys.kqueue();
  if (kq < 0) return -sys.lastError();
  if (sys.setCloexec(kq, true) < 0) {
    const e = sys.lastError();
    sys.closeSocket(kq);
    return -e;
  }
  return kq;
}

/** A `struct kevent[]` that never moves while in use, grown on demand. */
export class KeventList {
  #bytes = new Uint8Array(0);
  #view = new DataView(new ArrayBuffer(0));
  #capacity = 0;

  constructor(capacity = 16) {
    this.reserve(capacity);
  }

  /** Makes room for `n` entries (contents are not kept). */
  reserve(n: number): void {
    if (n <= this.#capacity) return;
    let cap = Math.max(this.#capacity * 2, 16);
    while (cap < n) cap *= 2;
    this.#bytes = new Uint8Array(new ArrayBuffer(cap * KE.size));
    this.#view = new DataView(this.#bytes.buffer);
    this.#capacity = cap;
  }

  /** Writes entry `i`. */
  set(i: number, k: KeventFields): void {
    const o = i * KE.size;
    const v = this.#view;
    v.setBigUint64(o + KE.ident, BigInt.asUintN(64, BigInt(k.ident)), true);
    v.setInt16(o + KE.filter, k.filter, true);
    v.setUint16(o + KE.flags, k.flags & 0xffff, true);
    v.setUint32(o + KE.fflags, k.fflags >>> 0, true);
    v.setBigInt64(o + KE.data, BigInt(k.data), true);
    v.setBigUint64(o + KE.udata, BigInt.asUintN(64, BigInt(k.udata)), true);
  }

  /** Reads entry `i` (after `keventCall` filled it). */
  get(i: number): KeventFields {
    const o = i * KE.size;
    const v = this.#view;
    return {
      ident: Number(v.getBigUint64(o + KE.ident, true)),
      filter: v.getInt16(o + KE.filter, true),
      flags: v.getUint16(o + KE.flags, true),
      fflags: v.getUint32(o + KE.fflags, true),
      data: Number(v.getBigInt64(o + KE.data, true)),
      udata: Number(v.getBigUint64(o + KE.udata, true)),
    };
  }

  /** The array itself, for the `kevent(2)` call. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }
}

// struct timespec (LP64): i64 tv_sec, i64 tv_nsec.
const timespec = new BigInt64Array(new ArrayBuffer(16));

/**
 * `kevent(kq, changes, nchanges, events, nevents, timeout)`: applies `nchanges` changes and waits at most
 * `timeoutNs` (`< 0`: no limit) for up to `nevents` events. After EINTR it waits again with the time left and
 * returns 0 once the deadline passed. Returns the number of events, or -errno.
 */
export function keventCall(
  kq: number,
  changes: KeventList | null,
  nchanges: number,
  events: KeventList | null,
  nevents: number,
  timeoutNs: number,
): number {
  const call = sys.kevent;
  if (!call) return -E.ENOSYS;
  const deadline = timeoutNs < 0 ? 0 : now() + timeoutNs;
  let left = timeoutNs;
  for (;;) {
    let ts: BigInt64Array | null = null;
    if (left >= 0) {
      timespec[0] = BigInt(Math.floor(left / 1e9));
      timespec[1] = BigInt(Math.floor(left % 1e9));
      ts = timespec;
    }
    const r = call(
      kq,
      changes && nchanges ? changes.bytes : null,
      nchanges,
      events && nevents ? events.bytes : null,
      nevents,
      ts,
    );
    if (r >= 0) return r;
    const e = sys.lastError();
    if (e !== E.EINTR) return -e;
    // The changes were applied before the interruption; do not apply them twice.
    changes = null;
    nchanges = 0;
    if (timeoutNs >= 0) {
      left = deadline - now();
      if (left < 0) return 0;
    }
  }
}
