/**
 * Python's `selectors` module (Lib/selectors.py of CPython 3.13): high-level I/O multiplexing over
 * the select module, with the same classes, keys, errors and timeout handling.
 */
import { plat } from "../ffi/index.ts";
import { pyType } from "./args.ts";
import { OSError, OverflowError, ValueError } from "./errors.ts";
import { KeyError, pyRepr, RuntimeError } from "./keyerror.ts";
import {
  EpollObject,
  epollEventFd,
  epollEventMask,
  epollWaitRaw,
  poll,
  select,
  type FileDescriptorLike,
  type PollObject,
} from "./select.ts";
import { kevent, KqueueObject } from "./kqueue.ts";

// EPOLL* exist on Linux only; the epoll code runs only where `plat.features.epoll` says they do.
const S = plat.selectConsts as Readonly<
  Record<keyof typeof plat.selectConsts, number>
>;

/** Event bit for "ready to read", in `register(...)` masks and `select()` results. @see https://docs.python.org/3/library/selectors.html#selectors.EVENT_READ */
export const EVENT_READ = 1 << 0;
/** Event bit for "ready to write", in `register(...)` masks and `select()` results. @see https://docs.python.org/3/library/selectors.html#selectors.EVENT_WRITE */
export const EVENT_WRITE = 1 << 1;

/** A file object as selectors take it: a descriptor number, or any object with a `fileno()` method. */
export type FileObj = FileDescriptorLike;

/** Python's `int(x)` for what a `fileno()` method returned; ValueError/TypeError when it is not a number. */
function pyInt(x: unknown): number {
  if (typeof x === "number") {
    if (Number.isNaN(x))
      throw new ValueError("cannot convert float NaN to integer");
    if (!Number.isFinite(x))
      throw new OverflowError("cannot convert float infinity to integer");
    return Math.trunc(x);
  }
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string" && /^\s*[+-]?\d+\s*$/.test(x))
    return Number.parseInt(x, 10);
  if (typeof x === "string")
    throw new ValueError(
      `invalid literal for int() with base 10: ${pyRepr(x)}`,
    );
  throw new TypeError(
    `int() argument must be a string, a bytes-like object or a real number, not '${pyType(x)}'`,
  );
}

/**
 * CPython's `selectors._fileobj_to_fd`: the descriptor of a file object.
 * @throws ValueError "Invalid file object: <repr>" when it has no usable `fileno()`;
 *   ValueError "Invalid file descriptor: -1" for a negative one (a closed socket).
 */
function fileobjToFd(fileobj: unknown): number {
  let fd: number;
  if (
    (typeof fileobj === "number" && Number.isInteger(fileobj)) ||
    typeof fileobj === "bigint" ||
    typeof fileobj === "boolean"
  ) {
    fd = pyInt(fileobj);
  } else {
    try {
      fd = pyInt((fileobj as { fileno(): unknown }).fileno());
    } catch (e) {
      // Python catches AttributeError, TypeError and ValueError here.
      if (e instanceof TypeError || e instanceof ValueError)
        throw new ValueError(`Invalid file object: ${pyRepr(fileobj)}`);
      throw e;
    }
  }
  if (fd < 0) throw new ValueError(`Invalid file descriptor: ${fd}`);
  return fd;
}

/**
 * Python's `selectors.SelectorKey(fileobj, fd, events, data)`: a registered file object, its
 * descriptor, the events waited for, and the data attached at `register()`. Immutable; iterable like
 * Python's namedtuple (`const [fileobj, fd, events, data] = key`).
 * @example
 * ```ts
 * const key = sel.register(s, selectors.EVENT_READ, "client");
 * console.log(key.fd, key.events, key.data); // the key select() returns for s
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.SelectorKey
 */
export class SelectorKey<D = unknown> {
  /** The file object registered. */
  readonly fileobj: FileObj;
  /** Its descriptor. */
  readonly fd: number;
  /** Events waited for: `EVENT_READ | EVENT_WRITE` bits. */
  readonly events: number;
  /** The data given to `register()`/`modify()` (`null` when none was given). */
  readonly data: D;

  constructor(fileobj: FileObj, fd: number, events: number, data: D) {
    this.fileobj = fileobj;
    this.fd = fd;
    this.events = events;
    this.data = data;
    Object.freeze(this);
  }

  /** Python's namedtuple `_replace`: a copy with some fields changed. */
  _replace(
    changes: Partial<{
      fileobj: FileObj;
      fd: number;
      events: number;
      data: D;
    }>,
  ): SelectorKey<D> {
    return new SelectorKey(
      "fileobj" in changes ? changes.fileobj! : this.fileobj,
      "fd" in changes ? changes.fd! : this.fd,
      "events" in changes ? changes.events! : this.events,
      "data" in changes ? (changes.data as D) : this.data,
    );
  }

  /** The four fields in order, as Python unpacks a namedtuple. */
  *[Symbol.iterator](): Iterator<unknown> {
    yield this.fileobj;
    yield this.fd;
    yield this.events;
    yield this.data;
  }

  /** Python's `repr()`: `SelectorKey(fileobj=..., fd=3, events=1, data=None)`. */
  toString(): string {
    return `SelectorKey(fileobj=${pyRepr(this.fileobj)}, fd=${this.fd}, events=${this.events}, data=${pyRepr(this.data)})`;
  }
}

/**
 * The read-only mapping `get_map()` returns (CPython's `_SelectorMapping`): looked up by file object
 * or descriptor, iterated by descriptor, as Python's `Mapping`. `m.__getitem__(f)` is Python's
 * `m[f]`; `m.get(f)` returns `null` when `f` is not registered.
 * @example
 * ```ts
 * const map = sel.get_map()!;
 * for (const fd of map) console.log(fd, map.get(fd)?.data);
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.get_map
 */
export class SelectorMapping<D = unknown> implements Iterable<number> {
  #sel: BaseSelectorImpl<D>;

  constructor(selector: BaseSelectorImpl<D>) {
    this.#sel = selector;
  }

  /** Number of registered file objects (Python's `len(m)`). */
  get size(): number {
    return this.#sel._fdToKey.size;
  }

  /** Python's `len(m)`. */
  __len__(): number {
    return this.#sel._fdToKey.size;
  }

  /**
   * Python's `m[fileobj]`: the key of a registered file object.
   * @throws KeyError "<repr> is not registered"; ValueError for an invalid file object not registered.
   */
  __getitem__(fileobj: FileObj): SelectorKey<D> {
    const key = this.#sel._fdToKey.get(this.#sel._fileobjLookup(fileobj));
    if (key === undefined)
      throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    return key;
  }

  /** Python's `m.get(fileobj, default=None)`. */
  get<T = null>(fileobj: FileObj, dflt: T = null as T): SelectorKey<D> | T {
    const fd = this.#sel._fileobjLookup(fileobj);
    return this.#sel._fdToKey.get(fd) ?? dflt;
  }

  /** Python's `fileobj in m`. */
  has(fileobj: FileObj): boolean {
    return this.#sel._fdToKey.has(this.#sel._fileobjLookup(fileobj));
  }

  /** Python's `fileobj in m`. */
  __contains__(fileobj: FileObj): boolean {
    return this.has(fileobj);
  }

  /** The registered descriptors (Python iterates a mapping by its keys, here descriptors). */
  keys(): IterableIterator<number> {
    return this.#sel._fdToKey.keys();
  }

  /** The selector keys. */
  values(): IterableIterator<SelectorKey<D>> {
    return this.#sel._fdToKey.values();
  }

  /** `[fd, key]` pairs. */
  items(): IterableIterator<[number, SelectorKey<D>]> {
    return this.#sel._fdToKey.entries();
  }

  /** Iterates the registered descriptors, as Python's `iter(mapping)`. */
  [Symbol.iterator](): IterableIterator<number> {
    return this.#sel._fdToKey.keys();
  }
}

/**
 * Python's `selectors.BaseSelector`: the interface every selector implements. A selector watches
 * registered file objects for `EVENT_READ`/`EVENT_WRITE` and reports which are ready.
 * `using sel = new selectors.DefaultSelector()` closes it at scope exit (Python's `with`).
 * @example
 * ```ts
 * function serve(sel: selectors.BaseSelector<string>): void {
 *   for (const [key, events] of sel.select(1)) console.log(key.data, events);
 * }
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector
 */
export abstract class BaseSelector<D = unknown> {
  /**
   * Registers a file object for `events` with optional attached `data`; returns its key.
   * @throws ValueError "Invalid events: 0" (no or unknown bits); KeyError "... is already registered";
   *   ValueError for a closed or negative descriptor; OSError when the OS refuses it (epoll).
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.register
   */
  abstract register(fileobj: FileObj, events: number, data?: D): SelectorKey<D>;
  /**
   * Unregisters a file object (it may have been closed since) and returns its key.
   * @throws KeyError "... is not registered".
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.unregister
   */
  abstract unregister(fileobj: FileObj): SelectorKey<D>;
  /**
   * Changes the events and/or data of a registered file object; returns the new key.
   * @throws KeyError "... is not registered", and what `register()` raises.
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.modify
   */
  modify(fileobj: FileObj, events: number, data?: D): SelectorKey<D> {
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }
  /**
   * Waits until some registered file objects are ready or `timeout` (seconds) passes, and returns
   * `[key, events]` pairs, `events` being the ready subset of `key.events`. `null` or omitted blocks;
   * `<= 0` polls without blocking. A signal does not end the wait early (PEP 475).
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.select
   */
  abstract select(
    timeout?: number | null,
  ): [key: SelectorKey<D>, events: number][];
  /**
   * Closes the selector and frees its OS resources (the epoll descriptor).
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.close
   */
  close(): void {}
  /**
   * The key of a registered file object.
   * @throws KeyError "... is not registered"; RuntimeError "Selector is closed".
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.get_key
   */
  get_key(fileobj: FileObj): SelectorKey<D> {
    const mapping = this.get_map();
    if (mapping === null) throw new RuntimeError("Selector is closed");
    try {
      return mapping.__getitem__(fileobj);
    } catch (e) {
      if (e instanceof KeyError)
        throw new KeyError(`${pyRepr(fileobj)} is not registered`);
      throw e;
    }
  }
  /**
   * The mapping of file objects to keys, or `null` once closed.
   * @see https://docs.python.org/3/library/selectors.html#selectors.BaseSelector.get_map
   */
  abstract get_map(): SelectorMapping<D> | null;
  /** Closes the selector at the end of a `using` block (Python's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Python's `timeout <= 0` on a non-number raises TypeError; so does ours. */
function checkTimeout(timeout: unknown): void {
  if (
    timeout !== null &&
    timeout !== undefined &&
    typeof timeout !== "number" &&
    typeof timeout !== "bigint" &&
    typeof timeout !== "boolean"
  )
    throw new TypeError(
      `'<=' not supported between instances of '${pyType(timeout)}' and 'int'`,
    );
}

/** CPython's `_BaseSelectorImpl`: the registration table shared by every selector. */
abstract class BaseSelectorImpl<D = unknown> extends BaseSelector<D> {
  /** @internal descriptor -> key, in registration order. */
  _fdToKey = new Map<number, SelectorKey<D>>();
  #map: SelectorMapping<D> | null = new SelectorMapping<D>(this);

  /** @internal `_fileobj_to_fd`, falling back to a search by identity for a registered object now closed. */
  _fileobjLookup(fileobj: FileObj): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      for (const key of this._fdToKey.values())
        if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  register(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    if (
      typeof events !== "number" &&
      typeof events !== "bigint" &&
      typeof events !== "boolean"
    )
      throw new TypeError(
        `unsupported operand type(s) for &: '${pyType(events)}' and 'int'`,
      );
    if (typeof events === "number" && !Number.isInteger(events))
      throw new TypeError(
        "unsupported operand type(s) for &: 'float' and 'int'",
      );
    const ev = Number(events);
    if (!ev || ev & ~(EVENT_READ | EVENT_WRITE) || ev < 0 || ev > 3)
      throw new ValueError(`Invalid events: ${pyRepr(events)}`);
    const key = new SelectorKey(
      fileobj,
      this._fileobjLookup(fileobj),
      ev,
      data,
    );
    if (this._fdToKey.has(key.fd))
      throw new KeyError(
        `${pyRepr(fileobj)} (FD ${key.fd}) is already registered`,
      );
    this._fdToKey.set(key.fd, key);
    return key;
  }

  unregister(fileobj: FileObj): SelectorKey<D> {
    const fd = this._fileobjLookup(fileobj);
    const key = this._fdToKey.get(fd);
    if (key === undefined)
      throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    this._fdToKey.delete(fd);
    return key;
  }

  override modify(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    let key = this._fdToKey.get(this._fileobjLookup(fileobj));
    if (key === undefined)
      throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    if (events !== key.events) {
      this.unregister(fileobj);
      key = this.register(fileobj, events, data);
    } else if (data !== key.data) {
      // DIFFERS FROM CPYTHON: `!==` (identity) where Python compares with `!=` (equality); an equal
      // but distinct data object gives a new key here, the old key in CPython. Nothing else changes.
      key = key._replace({ data });
      this._fdToKey.set(key.fd, key);
    }
    return key;
  }

  override close(): void {
    this._fdToKey.clear();
    this.#map = null;
  }

  get_map(): SelectorMapping<D> | null {
    return this.#map;
  }

  /** Ready pairs from `[fd, readyEvents]` results (unknown descriptors skipped). */
  protected _ready(
    fd: number,
    events: number,
    out: [SelectorKey<D>, number][],
  ): void {
    const key = this._fdToKey.get(fd);
    if (key !== undefined) out.push([key, events & key.events]);
  }
}

/**
 * Python's `selectors.SelectSelector`: built on {@link select} (which calls `poll(2)` here, so it has
 * no FD_SETSIZE limit). A descriptor closed while registered makes `select()` raise OSError EBADF.
 * @example
 * ```ts
 * using sel = new selectors.SelectSelector();
 * sel.register(s, selectors.EVENT_READ);
 * const ready = sel.select(0.5);
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.SelectSelector
 */
export class SelectSelector<D = unknown> extends BaseSelectorImpl<D> {
  #readers = new Set<number>();
  #writers = new Set<number>();

  override register(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    const key = super.register(fileobj, events, data);
    if (events & EVENT_READ) this.#readers.add(key.fd);
    if (events & EVENT_WRITE) this.#writers.add(key.fd);
    return key;
  }

  override unregister(fileobj: FileObj): SelectorKey<D> {
    const key = super.unregister(fileobj);
    this.#readers.delete(key.fd);
    this.#writers.delete(key.fd);
    return key;
  }

  select(timeout?: number | null): [key: SelectorKey<D>, events: number][] {
    checkTimeout(timeout);
    const t =
      timeout === null || timeout === undefined ? null : Math.max(timeout, 0);
    const [r, w] = select(this.#readers, this.#writers, [], t);
    // CPython iterates the set `r | w` (hash order); here readers come first, then writers only.
    const ready: [SelectorKey<D>, number][] = [];
    const ws = new Set(w);
    for (const fd of r) {
      this._ready(fd, EVENT_READ | (ws.has(fd) ? EVENT_WRITE : 0), ready);
      ws.delete(fd);
    }
    for (const fd of ws) this._ready(fd, EVENT_WRITE, ready);
    return ready;
  }
}

/** CPython's `_PollLikeSelector`: poll and epoll selectors share register/unregister/modify. */
abstract class PollLikeSelector<
  D = unknown,
  P extends PollObject | EpollObject = PollObject | EpollObject,
> extends BaseSelectorImpl<D> {
  /** @internal the `select.poll()`/`select.epoll()` object. */
  protected readonly _selector: P;
  protected readonly _EVENT_READ: number;
  protected readonly _EVENT_WRITE: number;

  constructor(selector: P, read: number, write: number) {
    super();
    this._selector = selector;
    this._EVENT_READ = read;
    this._EVENT_WRITE = write;
  }

  #pollerEvents(events: number): number {
    let ev = 0;
    if (events & EVENT_READ) ev |= this._EVENT_READ;
    if (events & EVENT_WRITE) ev |= this._EVENT_WRITE;
    return ev;
  }

  override register(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    const key = super.register(fileobj, events, data);
    try {
      this._selector.register(key.fd, this.#pollerEvents(events));
    } catch (e) {
      super.unregister(fileobj);
      throw e;
    }
    return key;
  }

  override unregister(fileobj: FileObj): SelectorKey<D> {
    const key = super.unregister(fileobj);
    try {
      this._selector.unregister(key.fd);
    } catch (e) {
      // This can happen if the FD was closed since it was registered (CPython's comment).
      if (!(e instanceof OSError)) throw e;
    }
    return key;
  }

  override modify(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    let key = this._fdToKey.get(this._fileobjLookup(fileobj));
    if (key === undefined)
      throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    let changed = false;
    if (events !== key.events) {
      try {
        this._selector.modify(key.fd, this.#pollerEvents(events));
      } catch (e) {
        super.unregister(fileobj);
        throw e;
      }
      changed = true;
    }
    if (data !== key.data) changed = true;
    if (changed) {
      key = key._replace({ events, data });
      this._fdToKey.set(key.fd, key);
    }
    return key;
  }

  /** Python's event translation: anything but the read bit counts as writable, anything but the write bit as readable. */
  protected _events(event: number): number {
    return (
      (event & ~this._EVENT_READ ? EVENT_WRITE : 0) |
      (event & ~this._EVENT_WRITE ? EVENT_READ : 0)
    );
  }
}

/**
 * Python's `selectors.PollSelector`: built on a {@link poll} object (`poll(2)`). A descriptor closed
 * while registered is reported ready (`POLLNVAL`) rather than raising.
 * @example
 * ```ts
 * using sel = new selectors.PollSelector();
 * sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE);
 * const ready = sel.select(0.5);
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.PollSelector
 */
export class PollSelector<D = unknown> extends PollLikeSelector<D, PollObject> {
  constructor() {
    super(poll(), S.POLLIN, S.POLLOUT);
  }

  select(timeout?: number | null): [key: SelectorKey<D>, events: number][] {
    checkTimeout(timeout);
    let ms: number | null;
    if (timeout === null || timeout === undefined) ms = null;
    else if (timeout <= 0) ms = 0;
    // poll() has a resolution of 1 millisecond, round away from zero to wait *at least* timeout seconds.
    else ms = Math.ceil(Number(timeout) * 1e3);
    const ready: [SelectorKey<D>, number][] = [];
    for (const [fd, event] of this._selector.poll(ms))
      this._ready(fd, this._events(event), ready);
    return ready;
  }
}

/**
 * Python's `selectors.EpollSelector` (Linux): built on a `select.epoll` object (`epoll_wait(2)`);
 * the cost of `select()` depends on the ready descriptors only, not on how many are registered.
 * @example
 * ```ts
 * using sel = new selectors.EpollSelector();
 * sel.register(s, selectors.EVENT_READ);
 * for (const [key, events] of sel.select()) console.log(key.fileobj, events);
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.EpollSelector
 */
export class EpollSelector<D = unknown> extends PollLikeSelector<
  D,
  EpollObject
> {
  constructor() {
    super(new EpollObject(), S.EPOLLIN, S.EPOLLOUT);
  }

  /** The epoll descriptor. @throws ValueError once closed. */
  fileno(): number {
    return this._selector.fileno();
  }

  select(timeout?: number | null): [key: SelectorKey<D>, events: number][] {
    checkTimeout(timeout);
    let t: number;
    if (timeout === null || timeout === undefined) t = -1;
    else if (timeout <= 0) t = 0;
    // epoll_wait() has a resolution of 1 millisecond, round away from zero to wait *at least* timeout seconds.
    else t = Math.ceil(Number(timeout) * 1e3) * 1e-3;
    // epoll_wait() expects maxevents > 0; select() must work with nothing registered.
    const maxEv = Math.max(this._fdToKey.size, 1);
    const n = epollWaitRaw(this._selector, t, maxEv);
    const ready: [SelectorKey<D>, number][] = [];
    const map = this._fdToKey;
    for (let i = 0; i < n; i++) {
      const key = map.get(epollEventFd(i));
      if (key === undefined) continue;
      const event = epollEventMask(i);
      const events =
        (event & ~S.EPOLLIN ? EVENT_WRITE : 0) |
        (event & ~S.EPOLLOUT ? EVENT_READ : 0);
      ready.push([key, events & key.events]);
    }
    return ready;
  }

  override close(): void {
    this._selector.close();
    super.close();
  }
}

/**
 * Python's `selectors.KqueueSelector` (BSD, macOS): built on a `select.kqueue` object, one kevent per
 * direction (KQ_FILTER_READ / KQ_FILTER_WRITE), as CPython 3.13's Lib/selectors.py.
 * Platform notes: where the OS has kqueue (`plat.features.kqueue`); elsewhere the constructor raises OSError
 * ENOSYS.
 * @example
 * ```ts
 * using sel = new selectors.KqueueSelector();
 * sel.register(s, selectors.EVENT_READ);
 * for (const [key, events] of sel.select()) console.log(key.fileobj, events);
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.KqueueSelector
 */
export class KqueueSelector<D = unknown> extends BaseSelectorImpl<D> {
  #kq = new KqueueObject();
  #maxEvents = 0;

  /** The kqueue descriptor. @throws ValueError once closed. */
  fileno(): number {
    return this.#kq.fileno();
  }

  override register(
    fileobj: FileObj,
    events: number,
    data: D = null as D,
  ): SelectorKey<D> {
    const key = super.register(fileobj, events, data);
    try {
      if (events & EVENT_READ) {
        this.#kq.control(
          [new kevent(key.fd, S.KQ_FILTER_READ, S.KQ_EV_ADD)],
          0,
          0,
        );
        this.#maxEvents++;
      }
      if (events & EVENT_WRITE) {
        this.#kq.control(
          [new kevent(key.fd, S.KQ_FILTER_WRITE, S.KQ_EV_ADD)],
          0,
          0,
        );
        this.#maxEvents++;
      }
    } catch (e) {
      super.unregister(fileobj);
      throw e;
    }
    return key;
  }

  override unregister(fileobj: FileObj): SelectorKey<D> {
    const key = super.unregister(fileobj);
    for (const [bit, filter] of [
      [EVENT_READ, S.KQ_FILTER_READ],
      [EVENT_WRITE, S.KQ_FILTER_WRITE],
    ] as const) {
      if (!(key.events & bit)) continue;
      this.#maxEvents--;
      try {
        this.#kq.control([new kevent(key.fd, filter, S.KQ_EV_DELETE)], 0, 0);
      } catch (e) {
        // This can happen if the FD was closed since it was registered (CPython's comment).
        if (!(e instanceof OSError)) throw e;
      }
    }
    return key;
  }

  select(timeout?: number | null): [key: SelectorKey<D>, events: number][] {
    checkTimeout(timeout);
    const t =
      timeout === null || timeout === undefined
        ? null
        : Math.max(Number(timeout), 0);
    // With max_events 0 kqueue ignores the timeout; CPython asks for 1 (gh-90164).
    const ready: [SelectorKey<D>, number][] = [];
    for (const kev of this.#kq.control(null, this.#maxEvents || 1, t)) {
      const events =
        (kev.filter === S.KQ_FILTER_READ ? EVENT_READ : 0) |
        (kev.filter === S.KQ_FILTER_WRITE ? EVENT_WRITE : 0);
      this._ready(kev.ident, events, ready);
    }
    return ready;
  }

  override close(): void {
    this.#kq.close();
    super.close();
  }
}

/** A selector class: `new DefaultSelector<Data>()`. */
export interface SelectorClass {
  new <D = unknown>(): BaseSelector<D>;
  readonly prototype: BaseSelector<unknown>;
}

/**
 * Python's `selectors.DefaultSelector`: the most efficient selector of this OS, {@link EpollSelector}
 * on Linux, {@link KqueueSelector} on macOS and {@link PollSelector} elsewhere (chosen by
 * `plat.features.epoll` and `plat.features.kqueue`; on Windows the poll is Winsock's select()).
 * @example
 * ```ts
 * using sel = new selectors.DefaultSelector<Conn>();
 * sel.register(listener, selectors.EVENT_READ, null);
 * for (const [key, events] of sel.select(1.0)) ...
 * ```
 * @see https://docs.python.org/3/library/selectors.html#selectors.DefaultSelector
 */
export const DefaultSelector: SelectorClass = plat.features.epoll
  ? EpollSelector
  : plat.features.kqueue
    ? KqueueSelector
    : PollSelector;
/** An instance of {@link DefaultSelector}. */
export type DefaultSelector<D = unknown> = BaseSelector<D>;
