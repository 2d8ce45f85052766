/**
 * Python's `select.kqueue` and `select.kevent` (BSD, macOS): the kernel event queue, with CPython 3.13's
 * arguments, errors, timeout units (seconds) and PEP 475 EINTR retries. Present where the OS has kqueue
 * (`plat.features.kqueue`); elsewhere creating a queue raises OSError ENOSYS (CPython: no such names).
 * @module
 */
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import { KeventList, keventCall, kqueueCreate } from "../platform/kqueue.ts";
import { cIntStrict, pyType } from "./args.ts";
import { fromErrno, OverflowError, ValueError } from "./errors.ts";
import {
  asFileDescriptor,
  reserveOrMemoryError,
  type FileDescriptorLike,
} from "./select.ts";

// KQ_* exist on macOS only; objects of this file are only created where `plat.features.kqueue` says so.
const S = plat.selectConsts as Readonly<
  Record<keyof typeof plat.selectConsts, number>
>;

/**
 * Python's `select.kevent(ident, filter=KQ_FILTER_READ, flags=KQ_EV_ADD, fflags=0, data=0, udata=0)`: one
 * kernel event, to pass to or receive from `kqueue.control()`. `ident` may be a number or an object with
 * `fileno()`; the fields are plain numbers and can be changed.
 * @example
 * ```ts
 * const ev = new select.kevent(s, select.KQ_FILTER_READ, select.KQ_EV_ADD);
 * kq.control([ev], 0);
 * ```
 * @see https://docs.python.org/3/library/select.html#kevent-objects
 */
export class kevent {
  /** The event's identifier: a descriptor for the read/write filters. */
  ident: number;
  /** The kernel filter (`KQ_FILTER_READ`, `KQ_FILTER_WRITE`, ...). */
  filter: number;
  /** Action and status flags (`KQ_EV_ADD`, `KQ_EV_DELETE`, `KQ_EV_EOF`, ...). */
  flags: number;
  /** Filter-specific flags (`KQ_NOTE_*`). */
  fflags: number;
  /** Filter-specific data (bytes readable or writable for the read/write filters). */
  data: number;
  /** Opaque user data, passed through unchanged. */
  udata: number;

  constructor(
    ident: FileDescriptorLike,
    filter: number = S.KQ_FILTER_READ,
    flags: number = S.KQ_EV_ADD,
    fflags = 0,
    data = 0,
    udata = 0,
  ) {
    this.ident =
      typeof ident === "number" && ident >= 0 && Number.isInteger(ident)
        ? ident
        : asFileDescriptor(ident);
    this.filter = cIntStrict(filter);
    this.flags = cIntStrict(flags);
    this.fflags = cIntStrict(fflags);
    this.data = Number(data);
    this.udata = Number(udata);
  }

  /** Python's `kevent.__eq__`: the same six fields. */
  equals(other: unknown): boolean {
    return (
      other instanceof kevent &&
      other.ident === this.ident &&
      other.filter === this.filter &&
      other.flags === this.flags &&
      other.fflags === this.fflags &&
      other.data === this.data &&
      other.udata === this.udata
    );
  }

  /** CPython's repr: `<select.kevent ident=3 filter=-1 flags=0x1 fflags=0x0 data=0x0 udata=0x0>`. */
  toString(): string {
    return `<select.kevent ident=${this.ident} filter=${this.filter} flags=0x${this.flags.toString(16)} fflags=0x${this.fflags.toString(16)} data=0x${this.data.toString(16)} udata=0x${this.udata.toString(16)}>`;
  }
}

const CLOSED = "I/O operation on closed kqueue object";
// One change list and one event list shared by every queue (one thread; calls never overlap).
const changes = new KeventList(16);
const events = new KeventList(64);

// The descriptor KqueueObject.fromfd hands to the constructor it calls (-1 otherwise), so that no caller can
// make the public constructor adopt an arbitrary descriptor.
let adoptKq = -1;

/**
 * Python's `select.kqueue()`: a kernel event queue (`kqueue(2)`, close-on-exec). `control()` applies changes
 * and collects events in one `kevent(2)` call. `using kq = select.kqueue()` closes it at scope exit.
 *
 * Platform notes: BSD and macOS only, as in CPython. Not run in CI here (no macOS machine): its struct is
 * checked by tests/unit/layouts.test.ts against xnu's bsd/sys/event.h.
 * @example
 * ```ts
 * using kq = select.kqueue();
 * kq.control([new select.kevent(s, select.KQ_FILTER_READ, select.KQ_EV_ADD)], 0);
 * for (const ev of kq.control(null, 10, 1)) console.log(ev.ident, ev.filter);
 * ```
 * @see https://docs.python.org/3/library/select.html#kqueue-objects
 */
export class KqueueObject {
  #kq: number;

  /** Opens a new queue (`kqueue()`); {@link KqueueObject.fromfd} adopts an existing one. */
  constructor() {
    if (adoptKq >= 0) {
      this.#kq = adoptKq;
      return;
    }
    const r = kqueueCreate();
    if (r < 0) throw fromErrno(-r);
    this.#kq = r;
  }

  /** Python's `kqueue.fromfd(fd)`: a queue object owning the descriptor `fd`. */
  static fromfd(fd: number): KqueueObject {
    adoptKq = cIntStrict(fd);
    try {
      return new KqueueObject();
    } finally {
      adoptKq = -1;
    }
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#kq < 0;
  }

  /** The queue's descriptor. @throws ValueError once closed. */
  fileno(): number {
    if (this.#kq < 0) throw new ValueError(CLOSED);
    return this.#kq;
  }

  /** Closes the queue (`close(2)`); idempotent. */
  close(): void {
    const fd = this.#kq;
    if (fd < 0) return;
    this.#kq = -1;
    const r = C.close(fd);
    if (r < 0) throw fromErrno(-r);
  }

  /** `using kq = select.kqueue()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Python's `kqueue.control(changelist, max_events, timeout=None)`: applies the `kevent` changes and returns
   * up to `max_events` pending events, waiting at most `timeout` seconds (`null`: no limit). A signal does not
   * end the wait (PEP 475).
   * @throws ValueError "Length of eventlist must be 0 or positive, got -1", "timeout must be positive or None";
   *   TypeError for a changelist that is not an iterable of kevent; OSError from kevent(2)
   * @see https://docs.python.org/3/library/select.html#select.kqueue.control
   */
  control(
    changelist: Iterable<kevent> | null,
    max_events: number,
    timeout: number | null = null,
  ): kevent[] {
    const kq = this.#kq;
    if (kq < 0) throw new ValueError(CLOSED);
    const maxev = cIntStrict(max_events);
    if (maxev < 0)
      throw new ValueError(
        `Length of eventlist must be 0 or positive, got ${maxev}`,
      );
    let timeoutNs = -1;
    if (timeout !== null && timeout !== undefined) {
      if (typeof timeout !== "number")
        throw new TypeError(
          `timeout argument must be a number or None, got ${pyType(timeout)}`,
        );
      if (Number.isNaN(timeout))
        throw new ValueError("Invalid value NaN (not a number)");
      if (timeout < 0) throw new ValueError("timeout must be positive or None");
      if (!Number.isFinite(timeout))
        throw new OverflowError(
          "timestamp too large to convert to C _PyTime_t",
        );
      timeoutNs = Math.ceil(timeout * 1e9);
    }
    let nchanges = 0;
    if (changelist !== null && changelist !== undefined) {
      if (
        typeof (changelist as { [Symbol.iterator]?: unknown })[
          Symbol.iterator
        ] !== "function"
      )
        throw new TypeError("changelist is not iterable");
      const list = [...changelist];
      changes.reserve(list.length);
      for (const ev of list) {
        if (!(ev instanceof kevent))
          throw new TypeError(
            "changelist must be an iterable of select.kevent objects",
          );
        changes.set(nchanges++, ev);
      }
    }
    reserveOrMemoryError(events, maxev);
    const n = keventCall(kq, changes, nchanges, events, maxev, timeoutNs);
    if (n < 0) throw fromErrno(-n);
    const out: kevent[] = [];
    for (let i = 0; i < n; i++) {
      const f = events.get(i);
      out.push(
        new kevent(f.ident, f.filter, f.flags, f.fflags, f.data, f.udata),
      );
    }
    return out;
  }
}

/** Python's `select.kqueue` class: callable with or without `new`. */
export interface KqueueClass {
  new (): KqueueObject;
  (): KqueueObject;
  /** Python's `kqueue.fromfd(fd)`: a queue object that takes over the descriptor `fd`. */
  fromfd(fd: number): KqueueObject;
  readonly prototype: KqueueObject;
}

/**
 * Python's `select.kqueue()`: see {@link KqueueObject}.
 * @see https://docs.python.org/3/library/select.html#select.kqueue
 */
export const kqueue: KqueueClass = new Proxy(KqueueObject, {
  apply: () => new KqueueObject(),
}) as unknown as KqueueClass;
