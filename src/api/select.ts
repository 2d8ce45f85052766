/**
 * Python's `select` module: `select()`, `poll()` objects and `epoll` objects, blocking and synchronous,
 * with CPython 3.13's arguments, errors, timeout units and rounding, and PEP 475 EINTR retries.
 */
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import {
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EpollEvents,
  epollCreate,
  epollCtl,
  epollWait,
} from "../platform/epoll.ts";
import { PollList, pollList } from "../platform/poll.ts";
import { cIntStrict, index } from "./args.ts";
import {
  fromErrno,
  MemoryError,
  OSError,
  OverflowError,
  ValueError,
} from "./errors.ts";
import { KeyError } from "./keyerror.ts";

// EPOLL* exist on Linux only; the epoll code runs only where `plat.features.epoll` says they do.
const S = plat.selectConsts as Readonly<
  Record<keyof typeof plat.selectConsts, number>
>;
const E = plat.errnos;

/**
 * What the select module accepts as a descriptor: an `int`, or any object with a `fileno()` method
 * that returns one (a socket of ours, a Python-style file object). Python's typeshed calls it the same.
 */
export type FileDescriptorLike = number | bigint | { fileno(): unknown };

/** Largest and smallest C `int`. */
const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;
/** `FD_SETSIZE - 1`: CPython's default `sizehint` and `maxevents` for epoll. */
const FD_SETSIZE_1 = 1023;

const NOT_FD = "argument must be an int, or have a fileno() method.";

/**
 * Python's `PyObject_AsFileDescriptor`: the descriptor of `o` (an int, or `o.fileno()`).
 * @throws TypeError "argument must be an int, or have a fileno() method." for anything else;
 *   TypeError "fileno() returned a non-integer"; OverflowError beyond a C int;
 *   ValueError "file descriptor cannot be a negative integer (-1)" for a negative result.
 */
export function asFileDescriptor(o: unknown): number {
  let fd: number;
  if (typeof o === "number") {
    if ((o | 0) === o) fd = o;
    else if (Number.isInteger(o)) fd = cIntStrict(o);
    else throw new TypeError(NOT_FD); // a float: no fileno() in Python either
  } else if (typeof o === "bigint" || typeof o === "boolean") {
    fd = cIntStrict(o);
  } else if (
    o !== null &&
    (typeof o === "object" || typeof o === "function") &&
    typeof (o as { fileno?: unknown }).fileno === "function"
  ) {
    const r = (o as { fileno(): unknown }).fileno();
    if (typeof r === "number" && (r | 0) === r) fd = r;
    else if (
      (typeof r === "number" && Number.isInteger(r)) ||
      typeof r === "bigint" ||
      typeof r === "boolean"
    )
      fd = cIntStrict(r);
    else throw new TypeError("fileno() returned a non-integer");
  } else throw new TypeError(NOT_FD);
  if (fd < 0)
    throw new ValueError(
      `file descriptor cannot be a negative integer (${fd})`,
    );
  return fd;
}

/** `x * unitNs` rounded away from zero, as CPython's `_PyTime_FromSecondsObject`/`FromMillisecondsObject` with `_PyTime_ROUND_TIMEOUT`. */
function toNs(x: unknown, unitNs: number, typeMessage: string): number {
  if (typeof x === "number") {
    if (Number.isNaN(x))
      throw new ValueError("Invalid value NaN (not a number)");
    const d = x * unitNs;
    const r = d >= 0 ? Math.ceil(d) : Math.floor(d);
    if (!(r >= -(2 ** 63) && r < 2 ** 63))
      throw new OverflowError("timestamp out of range for platform time_t");
    return r === 0 ? 0 : r;
  }
  if (typeof x === "bigint" || typeof x === "boolean") {
    const ns = BigInt(x) * BigInt(unitNs);
    if (ns >= 2n ** 63n || ns < -(2n ** 63n))
      throw new OverflowError("timestamp too large to convert to C PyTime_t");
    return Number(ns);
  }
  throw new TypeError(typeMessage);
}

/** Rounds `ns / 1e6` away from zero (`_PyTime_ROUND_TIMEOUT`), or up (`_PyTime_ROUND_CEILING`). */
function nsToMs(ns: number, ceiling: boolean): number {
  const q = ns / 1e6;
  const ms = ceiling || q >= 0 ? Math.ceil(q) : Math.floor(q);
  if (ms < INT_MIN || ms > INT_MAX)
    throw new OverflowError("timeout is too large");
  return ms === 0 ? 0 : ms;
}

/** The items of one of select()'s three arguments (CPython's `PySequence_Fast`: any iterable). */
function items(seq: unknown): unknown[] {
  if (Array.isArray(seq)) return seq;
  if (
    seq !== null &&
    seq !== undefined &&
    typeof (seq as { [Symbol.iterator]?: unknown })[Symbol.iterator] ===
      "function"
  )
    return [...(seq as Iterable<unknown>)];
  throw new TypeError("arguments 1-3 must be sequences");
}

// select() readiness as Linux's fs/select.c defines it from poll bits (POLLIN_SET, POLLOUT_SET, POLLEX_SET).
const ASK_READ = S.POLLIN | S.POLLRDNORM | S.POLLRDBAND;
const ASK_WRITE = S.POLLOUT | S.POLLWRNORM | S.POLLWRBAND;
const ASK_EXCEPT = S.POLLPRI;
const READ_SET = ASK_READ | S.POLLHUP | S.POLLERR;
const WRITE_SET = ASK_WRITE | S.POLLERR;
const EXCEPT_SET = S.POLLPRI;

// select()'s pollfd array, shared by every call (one thread, and no call re-enters before poll returns).
const selectList = new PollList(64);

/**
 * Python's `select.select(rlist, wlist, xlist[, timeout])`: waits until some of the descriptors are
 * ready for reading, writing, or have an exceptional condition (urgent data), and returns
 * `[r, w, x]`: the objects of each list that are ready, the same objects that were passed in and in
 * the same order (an object listed twice is returned twice).
 *
 * Each list may hold descriptor numbers and objects with a `fileno()` method (our sockets, or any
 * Python-style file object), and may be any iterable. `timeout` is in **seconds** (a float);
 * `null`/omitted blocks until something is ready, `0` polls. Calls `poll(2)` on Linux (the
 * readiness rules are those of the kernel's `select(2)`: a hung-up or failed descriptor is readable;
 * a failed one is writable too), so descriptors above 1023 work.
 *
 * A signal (EINTR) does not end the wait: it is retried with the time left (PEP 475).
 *
 * DIFFERS FROM CPYTHON: CPython calls `select(2)` and raises ValueError "filedescriptor out of range
 * in select()" for a descriptor >= FD_SETSIZE (1024); here any descriptor works (`poll(2)` has no limit).
 *
 * @example
 * ```ts
 * const [r, w] = select.select([listener, conn], [conn], [], 5.0);
 * if (r.includes(listener)) { const [c] = listener.accept(); }
 * ```
 * @throws TypeError "arguments 1-3 must be sequences", "argument must be an int, or have a fileno() method.",
 *   "timeout must be a float or None"; ValueError "file descriptor cannot be a negative integer (-1)",
 *   "timeout must be non-negative"; OSError EBADF when a descriptor is not open (as `select(2)`).
 * @see https://docs.python.org/3/library/select.html#select.select
 */
export function select<R = unknown, W = unknown, X = unknown>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null,
): [rlist: R[], wlist: W[], xlist: X[]] {
  let ns = -1;
  if (timeout !== null && timeout !== undefined) {
    ns = toNs(timeout, 1e9, "timeout must be a float or None");
    if (ns < 0) throw new ValueError("timeout must be non-negative");
  }
  const r0 = items(rlist);
  const w0 = items(wlist);
  const x0 = items(xlist);
  // Descriptors are read in argument order, so the first bad item raises, as in CPython's seq2set().
  const rs = slots(r0, ASK_READ, true);
  const ws = slots(w0, ASK_WRITE, false);
  const xs = slots(x0, ASK_EXCEPT, false);
  const n = slotFd.length;
  selectList.reserve(n);
  for (let i = 0; i < n; i++) selectList.set(i, slotFd[i]!, slotWant[i]!);

  const r = pollList(selectList, n, ns);
  if (r < 0) throw fromErrno(-r);
  if (r === 0) return [[], [], []];
  for (let i = 0; i < n; i++) {
    // select(2) fails with EBADF when any descriptor is not open; poll(2) marks it POLLNVAL.
    if (selectList.revents(i) & S.POLLNVAL) throw fromErrno(E.EBADF);
  }
  return [
    ready(r0 as R[], rs, READ_SET),
    ready(w0 as W[], ws, WRITE_SET),
    ready(x0 as X[], xs, EXCEPT_SET),
  ];
}

// One pollfd per distinct descriptor, asking for the union of what its lists want.
const slotOf = new Map<number, number>();
const slotFd: number[] = [];
const slotWant: number[] = [];

/** The pollfd slot of each item of one list, adding slots (and `ask` bits) as needed. */
function slots(list: unknown[], ask: number, first: boolean): Int32Array {
  if (first) {
    slotOf.clear();
    slotFd.length = 0;
    slotWant.length = 0;
  }
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const fd = asFileDescriptor(list[i]);
    let slot = slotOf.get(fd);
    if (slot === undefined) {
      slot = slotFd.length;
      slotOf.set(fd, slot);
      slotFd.push(fd);
      slotWant.push(0);
    }
    slotWant[slot]! |= ask;
    out[i] = slot;
  }
  return out;
}

/** The items of `list` whose slot reported any of `mask`, in order. */
function ready<T>(list: T[], slot: Int32Array, mask: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++)
    if (selectList.revents(slot[i]!) & mask) out.push(list[i]!);
  return out;
}

/** Python's `_PyLong_UnsignedShort_Converter`, as `poll.register`/`modify` convert `eventmask`. */
function unsignedShort(x: unknown): number {
  if (
    !(typeof x === "number" && Number.isInteger(x)) &&
    typeof x !== "bigint" &&
    typeof x !== "boolean"
  )
    throw new TypeError("an integer is required");
  const v = index(x);
  if (v < 0) throw new ValueError("value must be positive");
  if (v > 0xffff)
    throw new OverflowError("Python int too large for C unsigned short");
  return v;
}

/**
 * A polling object, as returned by Python's `select.poll()`: a set of registered descriptors, each
 * with an event mask, waited on with `poll(2)`. Descriptors are reported in registration order.
 * @example
 * ```ts
 * const p = select.poll();
 * p.register(s, select.POLLIN);
 * for (const [fd, events] of p.poll(1000)) console.log(fd, events);
 * ```
 * @see https://docs.python.org/3/library/select.html#polling-objects
 */
export class PollObject {
  // fd -> eventmask, in registration order (CPython keeps a dict and rebuilds the array when it changed).
  #masks = new Map<number, number>();
  #list = new PollList(16);
  #upToDate = false;

  /**
   * Registers `fd` (a number or an object with `fileno()`) with `eventmask`, a combination of
   * `POLLIN`, `POLLPRI`, `POLLOUT` (the default: all three); registering it again changes its mask.
   * Makes no OS call, so a closed descriptor is accepted (`poll()` then reports `POLLNVAL`).
   * @throws TypeError/ValueError for a bad descriptor; ValueError "value must be positive" and
   *   OverflowError "Python int too large for C unsigned short" for a bad mask.
   * @see https://docs.python.org/3/library/select.html#select.poll.register
   */
  register(
    fd: FileDescriptorLike,
    eventmask: number = S.POLLIN | S.POLLPRI | S.POLLOUT,
  ): void {
    const n = asFileDescriptor(fd);
    const mask = unsignedShort(eventmask);
    this.#masks.set(n, mask);
    this.#upToDate = false;
  }

  /**
   * Changes the event mask of a registered `fd`.
   * @throws FileNotFoundError (`OSError` ENOENT) when `fd` is not registered, as CPython.
   * @see https://docs.python.org/3/library/select.html#select.poll.modify
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    const n = asFileDescriptor(fd);
    const mask = unsignedShort(eventmask);
    if (!this.#masks.has(n)) throw fromErrno(E.ENOENT);
    this.#masks.set(n, mask);
    this.#upToDate = false;
  }

  /**
   * Stops watching `fd`.
   * @throws KeyError (of the descriptor number) when `fd` is not registered.
   * @see https://docs.python.org/3/library/select.html#select.poll.unregister
   */
  unregister(fd: FileDescriptorLike): void {
    const n = asFileDescriptor(fd);
    if (!this.#masks.delete(n)) throw new KeyError(n);
    this.#upToDate = false;
  }

  /**
   * Waits with `poll(2)` until a registered descriptor has an event, and returns `[fd, revents]` pairs
   * for those that do (`revents` may include `POLLERR`, `POLLHUP`, `POLLNVAL` whatever was asked).
   * `timeout` is in **milliseconds** (a float is rounded up to whole ms); `null`, omitted or negative
   * blocks; `0` polls. EINTR is retried with the time left (PEP 475).
   * @throws TypeError "timeout must be an integer or None"; OverflowError "timeout is too large".
   * @example
   * ```ts
   * const p = select.poll();
   * p.register(sock, select.POLLIN);
   * for (const [fd, ev] of p.poll(1000)) if (ev & select.POLLIN) ...
   * ```
   * @see https://docs.python.org/3/library/select.html#select.poll.poll
   */
  poll(timeout?: number | null): [fd: number, events: number][] {
    let ns = -1;
    if (timeout !== null && timeout !== undefined) {
      ns = toNs(timeout, 1e6, "timeout must be an integer or None");
      if (nsToMs(ns, false) < 0) ns = -1;
    }
    const list = this.#list;
    const n = this.#masks.size;
    if (!this.#upToDate) {
      list.reserve(n);
      let i = 0;
      for (const [fd, mask] of this.#masks) list.set(i++, fd, mask);
      this.#upToDate = true;
    }
    const r = pollList(list, n, ns);
    if (r < 0) throw fromErrno(-r);
    const out: [number, number][] = [];
    for (let i = 0; i < n && out.length < r; i++) {
      const ev = list.revents(i);
      if (ev !== 0) out.push([list.fd(i), ev]);
    }
    return out;
  }

  /** Python's `repr()`. */
  toString(): string {
    return "<select.poll object>";
  }
}
Object.defineProperty(PollObject, "name", { value: "poll" });

/**
 * Python's `select.poll()`: a new polling object (no OS call until its `poll()`).
 * @example
 * ```ts
 * const p = select.poll();
 * p.register(s.fileno(), select.POLLIN | select.POLLPRI);
 * const ready = p.poll(500); // [[fd, revents], ...] within 500 ms
 * ```
 * @see https://docs.python.org/3/library/select.html#select.poll
 */
export function poll(): PollObject {
  return new PollObject();
}

const CLOSED_EPOLL = "I/O operation on closed epoll object";
// epoll_wait's event array, shared by every epoll object (one thread; calls never overlap).
const epollEvents = new EpollEvents(64);

/** Internal: one `epoll_wait` into the shared event array (EpollSelector's fast path). */
let rawWait: (
  ep: EpollObject,
  timeout: number | null | undefined,
  maxevents: number,
) => number;

// The descriptor EpollObject.fromfd hands to the constructor it calls (-1 otherwise): the constructor itself takes
// Python's (sizehint, flags) only, so no caller can make it adopt an arbitrary descriptor.
let adoptEpfd = -1;

/**
 * An edge- and level-triggered epoll object, as Python's `select.epoll`: Linux only
 * (`plat.features.epoll`). The descriptor is created with `epoll_create1(EPOLL_CLOEXEC)`, so it is
 * never inherited. `using ep = select.epoll()` closes it at scope exit.
 *
 * Registrations live in the kernel: a descriptor closed while registered leaves the set by itself.
 * @example
 * ```ts
 * using ep = select.epoll();
 * ep.register(s, select.EPOLLIN);
 * for (const [fd, events] of ep.poll(1)) console.log(fd, events);
 * ```
 * @see https://docs.python.org/3/library/select.html#edge-and-level-trigger-polling-epoll-objects
 */
export class EpollObject {
  #epfd: number;

  /**
   * Opens a new epoll object (`epoll_create1(EPOLL_CLOEXEC)`); {@link fromfd} adopts an existing one.
   * `sizehint` is ignored by the kernel but checked as CPython does; `flags` may be 0 or `EPOLL_CLOEXEC`.
   * @throws ValueError "negative sizehint"; OSError "invalid flags"; OSError from `epoll_create1`.
   */
  constructor(sizehint: number = -1, flags: number = 0) {
    const hint = cIntStrict(sizehint);
    const fl = cIntStrict(flags);
    if (adoptEpfd >= 0) {
      this.#epfd = adoptEpfd;
      return;
    }
    if (hint !== -1 && hint <= 0) throw new ValueError("negative sizehint");
    if (fl !== 0 && fl !== S.EPOLL_CLOEXEC) throw new OSError("invalid flags");
    if (!plat.features.epoll) throw fromErrno(E.ENOSYS);
    const r = epollCreate();
    if (r < 0) throw fromErrno(-r);
    this.#epfd = r;
  }

  /**
   * Python's `select.epoll.fromfd(fd)`: an epoll object that takes over the epoll descriptor `fd`
   * (which it will close).
   * @see https://docs.python.org/3/library/select.html#select.epoll.fromfd
   */
  static fromfd(fd: number): EpollObject {
    adoptEpfd = cIntStrict(fd);
    try {
      return new EpollObject();
    } finally {
      adoptEpfd = -1;
    }
  }

  /** `true` once `close()` ran. @see https://docs.python.org/3/library/select.html#select.epoll.closed */
  get closed(): boolean {
    return this.#epfd < 0;
  }

  /**
   * Closes the epoll descriptor (`close(2)`); idempotent.
   * @see https://docs.python.org/3/library/select.html#select.epoll.close
   */
  close(): void {
    const fd = this.#epfd;
    if (fd < 0) return;
    this.#epfd = -1;
    const r = C.close(fd);
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * The epoll descriptor.
   * @throws ValueError "I/O operation on closed epoll object".
   * @see https://docs.python.org/3/library/select.html#select.epoll.fileno
   */
  fileno(): number {
    if (this.#epfd < 0) throw new ValueError(CLOSED_EPOLL);
    return this.#epfd;
  }

  #ctl(op: number, fd: number, mask: number): void {
    if (this.#epfd < 0) throw new ValueError(CLOSED_EPOLL);
    const r = epollCtl(this.#epfd, op, fd, mask);
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * Registers `fd` with `eventmask` (`EPOLLIN | EPOLLPRI | EPOLLOUT` by default; add `EPOLLET` for
   * edge-triggered, `EPOLLONESHOT`, ...): `epoll_ctl(EPOLL_CTL_ADD)`.
   * @throws FileExistsError (EEXIST) when already registered; OSError EBADF for a closed descriptor,
   *   EPERM for one epoll cannot watch (a regular file); ValueError on a closed epoll object.
   * @see https://docs.python.org/3/library/select.html#select.epoll.register
   */
  register(
    fd: FileDescriptorLike,
    eventmask: number = S.EPOLLIN | S.EPOLLPRI | S.EPOLLOUT,
  ): void {
    const n = asFileDescriptor(fd);
    this.#ctl(EPOLL_CTL_ADD, n, index(eventmask) >>> 0);
  }

  /**
   * Changes the event mask of a registered `fd`: `epoll_ctl(EPOLL_CTL_MOD)`.
   * @throws FileNotFoundError (ENOENT) when `fd` is not registered.
   * @see https://docs.python.org/3/library/select.html#select.epoll.modify
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    const n = asFileDescriptor(fd);
    this.#ctl(EPOLL_CTL_MOD, n, index(eventmask) >>> 0);
  }

  /**
   * Removes `fd`: `epoll_ctl(EPOLL_CTL_DEL)`.
   * @throws FileNotFoundError (ENOENT) when `fd` is not registered; OSError EBADF when it was closed.
   * @see https://docs.python.org/3/library/select.html#select.epoll.unregister
   */
  unregister(fd: FileDescriptorLike): void {
    const n = asFileDescriptor(fd);
    this.#ctl(EPOLL_CTL_DEL, n, 0);
  }

  /** One `epoll_wait` into the shared event array; returns the count. */
  #wait(timeout: number | null | undefined, maxevents: number): number {
    if (this.#epfd < 0) throw new ValueError(CLOSED_EPOLL);
    let ms = -1;
    let ns = -1;
    if (timeout !== null && timeout !== undefined) {
      ns = toNs(timeout, 1e9, "timeout must be an integer or None");
      ms = nsToMs(ns, true);
      if (ms < 0) ms = -1;
    }
    if (maxevents === -1) maxevents = FD_SETSIZE_1;
    else if (maxevents < 1)
      throw new ValueError(
        `maxevents must be greater than 0, got ${maxevents}`,
      );
    reserveOrMemoryError(epollEvents, maxevents);
    const r = epollWait(this.#epfd, epollEvents, maxevents, ms, ns);
    if (r < 0) throw fromErrno(-r);
    return r;
  }

  /**
   * Waits with `epoll_wait(2)` for events and returns `[fd, events]` pairs. `timeout` is in
   * **seconds** (a float, rounded up to whole ms); `null`, omitted or negative blocks. `maxevents`
   * (default -1: FD_SETSIZE - 1) caps the pairs returned. EINTR is retried with the time left.
   * @throws ValueError "maxevents must be greater than 0, got 0"; ValueError on a closed object;
   *   TypeError "timeout must be an integer or None"; OverflowError "timeout is too large".
   * @example
   * ```ts
   * using ep = select.epoll();
   * ep.register(sock.fileno(), select.EPOLLIN);
   * for (const [fd, ev] of ep.poll(1.5)) ...
   * ```
   * @see https://docs.python.org/3/library/select.html#select.epoll.poll
   */
  poll(
    timeout?: number | null,
    maxevents: number = -1,
  ): [fd: number, events: number][] {
    const r = this.#wait(timeout, cIntStrict(maxevents));
    const out: [number, number][] = new Array(r);
    for (let i = 0; i < r; i++)
      out[i] = [epollEvents.fd(i), epollEvents.events(i)];
    return out;
  }

  /** Closes the epoll object at the end of a `using` block (Python's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Python's `repr()`. */
  toString(): string {
    return `<select.epoll object${this.#epfd < 0 ? " [closed]" : ""} fd=${this.#epfd}>`;
  }

  static {
    rawWait = (ep, timeout, maxevents) => ep.#wait(timeout, maxevents);
  }
}
Object.defineProperty(EpollObject, "name", { value: "epoll" });

/**
 * Internal (selectors): `epoll_wait` on `ep` with Python's `epoll.poll(timeout, maxevents)` rules;
 * returns the count, the events being in {@link epollEventFd}/{@link epollEventMask}.
 */
export function epollWaitRaw(
  ep: EpollObject,
  timeout: number | null | undefined,
  maxevents: number,
): number {
  return rawWait(ep, timeout, maxevents);
}

/** Internal: `data.fd` of event `i` of the last {@link epollWaitRaw}. */
export function epollEventFd(i: number): number {
  return epollEvents.fd(i);
}

/** Internal: the event mask of event `i` of the last {@link epollWaitRaw}. */
export function epollEventMask(i: number): number {
  return epollEvents.events(i);
}

/** Constructor of Python's epoll class: callable with or without `new`. */
export interface EpollClass {
  new (sizehint?: number, flags?: number): EpollObject;
  (sizehint?: number, flags?: number): EpollObject;
  /** Python's `epoll.fromfd(fd)`. */
  fromfd(fd: number): EpollObject;
  readonly prototype: EpollObject;
}

/**
 * Python's `select.epoll(sizehint=-1, flags=0)`: a new epoll object (Linux). Works with and without
 * `new`; `ep instanceof select.epoll` holds.
 * @example
 * ```ts
 * using ep = select.epoll();
 * ep.register(listener, select.EPOLLIN);
 * const events = ep.poll(1.0); // [[fd, mask], ...]
 * ```
 * @see https://docs.python.org/3/library/select.html#select.epoll
 */
export const epoll: EpollClass = new Proxy(EpollObject, {
  apply(target, _this, args: unknown[]) {
    return new (target as unknown as new (...a: unknown[]) => EpollObject)(
      ...args.slice(0, 2),
    );
  },
  construct(target, args: unknown[], newTarget) {
    return Reflect.construct(target, args.slice(0, 2), newTarget);
  },
}) as unknown as EpollClass;

/**
 * `events.reserve(n)`, or CPython's MemoryError when that much memory is not to be had
 * (`epoll.poll(maxevents=2**31-1)`, `kqueue.control(None, 2**31-1)`), never the engine's RangeError.
 */
export function reserveOrMemoryError(
  events: { reserve(n: number): void },
  n: number,
): void {
  try {
    events.reserve(n);
  } catch (e) {
    if (e instanceof RangeError) throw new MemoryError();
    throw e;
  }
}

/** Python's `select.error`: an alias of `OSError` since Python 3.3. */
export const error: typeof OSError = OSError;
