/** Python's socket object: `socket.socket(family, type, proto, fileno)` and its methods, over the platform layer. */
import { plat } from "../ffi/index.ts";
import { loadOnce } from "../ffi/lazy.ts";
import * as C from "../platform/calls.ts";
import { SockAddr } from "../platform/sockaddr.ts";
import {
  now,
  WAIT_CONNECT,
  WAIT_READ,
  WAIT_WRITE,
  waitFd,
} from "../platform/wait.ts";
import {
  packAddress,
  unpackAddress,
  type Address,
  type AddressOut,
  type SocketAddress,
} from "./address.ts";
import * as arg from "./args.ts";
import {
  badFd,
  fromErrno,
  MemoryError,
  OSError,
  timedOut,
  ValueError,
  OverflowError,
} from "./errors.ts";
import { sockCall } from "./sockcall.ts";
import type * as Msg from "../platform/msg.ts";
import { IO_DECREF, makefileModule, type SocketFile } from "./files.ts";
import type { TextOptions } from "./makefile.ts";
import type { SendfileSource } from "./sendfile.ts";

/** `platform/msg.ts` (sendmsg/recvmsg, CMSG_*), loaded on first use: start-up time (bench E). */
export const msg: () => typeof Msg = loadOnce(
  () => require("../platform/msg.ts") as typeof Msg,
);

const K = plat.consts;
const E = plat.errnos;
const F = plat.features;
const TYPE_FLAGS = C.SOCK_NONBLOCK | C.SOCK_CLOEXEC; // 0 where the OS has no type flags

// Scratch memory shared by all sockets of this thread; none of it moves (ArrayBuffer-backed).
const SCRATCH_SIZE = 65536;
const scratch = Buffer.from(new ArrayBuffer(SCRATCH_SIZE));
const inSa = new SockAddr(); // addresses we pass in (bind, connect, sendto)
const outSa = new SockAddr(); // addresses the OS writes (accept, recvfrom, getsockname)
const optLen = new Uint32Array(new ArrayBuffer(4));
const EMPTY = Buffer.alloc(0);

let defaultTimeout = -1;

/**
 * Python's `socket.getdefaulttimeout()`: seconds new sockets start with, or `null` (blocking).
 * @example
 * ```ts
 * socket.getdefaulttimeout(); // null until setdefaulttimeout() is called
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getdefaulttimeout
 */
export function getdefaulttimeout(): number | null {
  return defaultTimeout < 0 ? null : defaultTimeout;
}

/**
 * Python's `socket.setdefaulttimeout(timeout)`: the timeout new sockets (and accepted ones) start with.
 * @throws TypeError for a non-number; ValueError for a negative or NaN value.
 * @example
 * ```ts
 * socket.setdefaulttimeout(10); // every socket created from now on: settimeout(10)
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.setdefaulttimeout
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = arg.timeout(timeout);
}

// Sockets that become garbage without close() are closed here (CPython closes them in __del__).
const finalizer = new FinalizationRegistry<number>((fd) => {
  C.close(fd);
});

// A FinalizationRegistry entry costs ~0.35 µs in JavaScriptCore (register + unregister and the collector's
// work), a quarter of a system call. Most sockets of a busy program are closed soon after they are made (one
// connection per request), so a new socket waits in `young` and is handed to the finalizer only if it is still
// open at the next sweep: after 64 more sockets, or when the running job ends (a microtask). Until then `young`
// keeps it reachable, so the collector cannot miss it. (bench/where-the-time-goes.md, C.)
const REGISTER = Symbol("register");
const YOUNG_MAX = 64;
const young: (SocketObject | undefined)[] = new Array<undefined>(
  YOUNG_MAX + 1,
).fill(undefined);
let youngCount = 0;
let sweepQueued = false;

/** The microtask: sweeps, and lets the next new socket queue another. */
function sweepQueuedYoung(): void {
  sweepQueued = false;
  sweepYoung();
}

function sweepYoung(): void {
  // Reads up to the first empty slot: the last value this read sees is then not a socket (JavaScriptCore's
  // profile of the read kept the last socket reachable until the next sweep when the loop stopped at a count).
  for (let i = 0; ; i++) {
    const s = young[i];
    if (s === undefined) break;
    young[i] = undefined;
    s[REGISTER]();
  }
  youngCount = 0;
}

function track(s: SocketObject): void {
  young[youngCount++] = s;
  // A full array is swept at once; the queued microtask stays queued (one at a time, however long a
  // synchronous loop runs without yielding).
  if (youngCount === YOUNG_MAX) sweepYoung();
  else if (!sweepQueued) {
    sweepQueued = true;
    queueMicrotask(sweepQueuedYoung);
  }
}

const ADOPT = Symbol("adopt");
const SHOW_ADDR: unique symbol = Symbol.for(
  "nodejs.util.inspect.custom",
) as never;

/** Options of `socket.socket(...)` beyond Python's positional arguments: none yet; reserved. */
export type SocketArgs = [
  family?: number,
  type?: number,
  proto?: number,
  fileno?: number | null,
];

/**
 * A socket object, as Python's `socket.socket` class.
 *
 * Created by `socket.socket(family = AF_INET, type = SOCK_STREAM, proto = 0, fileno = null)` (with or
 * without `new`). Calls `socket(2)` with `SOCK_CLOEXEC`; with `fileno` it adopts that descriptor and
 * asks the OS for family, type and protocol (`SO_DOMAIN`, `SO_TYPE`, `SO_PROTOCOL`) when not given.
 *
 * Three modes, exactly as CPython: blocking (`gettimeout() === null`), non-blocking (`0`) and
 * timeout (`> 0` seconds; the descriptor is non-blocking and calls wait with `poll(2)`).
 * A closed socket's descriptor is never touched again: every method then raises `OSError` EBADF.
 *
 * @example
 * ```ts
 * using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
 * s.settimeout(5);
 * s.connect(["127.0.0.1", 8080]);
 * s.sendall("hello");
 * const reply = s.recv(1024);
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket-objects
 */
export class SocketObject {
  #fd: number;
  #family: number;
  #type: number;
  #proto: number;
  #timeout: number;
  // Files from makefile() that are still open, and whether close() was asked for (CPython's _io_refs/_closed).
  #ioRefs = 0;
  #closing = false;
  // Whether the finalizer knows this socket (see `track`).
  #registered = false;

  constructor(
    family?: number | null,
    type?: number | null,
    proto?: number | null,
    fileno?: number | null,
  );
  // Fixed parameters, not a rest array: one object fewer per accept() and per socket() (bench C).
  constructor(
    a0?: unknown,
    a1?: unknown,
    a2?: unknown,
    a3?: unknown,
    a4?: unknown,
    a5?: unknown,
  ) {
    if (a0 === ADOPT) {
      // Internal: a descriptor we just created (accept, dup): (ADOPT, fd, family, type, proto, timeout).
      this.#fd = a1 as number;
      this.#family = a2 as number;
      this.#type = a3 as number;
      this.#proto = a4 as number;
      this.#timeout = a5 as number;
      track(this);
      return;
    }
    const family = a0 === undefined ? -1 : a0;
    const type = a1 === undefined ? -1 : a1;
    const proto = a2 === undefined ? -1 : a2;
    const fileno = a3;
    // CPython's argument clinic converts these with PyLong_AsInt ("... to convert to C int").
    let fam = family === null ? -1 : arg.cIntStrict(family);
    let typ = type === null ? -1 : arg.cIntStrict(type);
    let pro = proto === null ? -1 : arg.cIntStrict(proto);
    let fd: number;
    if (fileno === null || fileno === undefined) {
      if (fam === -1) fam = K.AF_INET;
      if (typ === -1) typ = K.SOCK_STREAM;
      if (pro === -1) pro = 0;
      fd = C.socket(
        fam,
        typ,
        pro,
        defaultTimeout >= 0 || (typ & C.SOCK_NONBLOCK) !== 0,
      );
      if (fd < 0) throw fromErrno(-fd);
    } else {
      fd = arg.index(fileno);
      if (fd < 0) throw new ValueError("negative file descriptor");
      if (fd > 0x7fffffff)
        throw new OverflowError("fd is greater than maximum");
      // Validate: this must be an open socket (EBADF / ENOTSOCK otherwise).
      const t = C.getIntOpt(fd, K.SOL_SOCKET, K.SO_TYPE);
      if (t.err) throw fromErrno(t.err);
      if (typ === -1) typ = t.value;
      if (fam === -1) fam = detectFamily(fd);
      if (pro === -1) {
        // CPython: SO_PROTOCOL where the OS has it; Windows: SO_PROTOCOL_INFOW (C.socketInfo).
        const p =
          F.soDomain && K.SO_PROTOCOL !== undefined
            ? C.getIntOpt(fd, K.SOL_SOCKET, K.SO_PROTOCOL)
            : { value: C.socketInfo(fd)?.[2] ?? 0, err: 0 };
        pro = p.err ? 0 : p.value;
      }
    }
    this.#fd = fd;
    this.#family = fam;
    this.#type = typ & ~TYPE_FLAGS;
    this.#proto = pro;
    if (F.sockTypeFlags && typ & C.SOCK_NONBLOCK) this.#timeout = 0;
    else {
      this.#timeout = defaultTimeout;
      if (defaultTimeout >= 0 && fileno !== null && fileno !== undefined) {
        const r = C.setNonBlocking(fd, true);
        if (r < 0) throw fromErrno(-r);
      }
    }
    track(this);
  }

  /** Hands a still-open socket to the finalizer (`sweepYoung`). */
  [REGISTER](): void {
    const fd = this.#fd;
    if (fd >= 0 && !this.#registered) {
      this.#registered = true;
      finalizer.register(this, fd, this);
    }
  }

  /** Takes the socket back from the finalizer: its descriptor is closed or no longer ours. */
  #unregister(): void {
    if (this.#registered) {
      this.#registered = false;
      finalizer.unregister(this);
    }
  }

  /** The address family (`AF_INET`, ...), as Python's `socket.family`. */
  get family(): number {
    return this.#family;
  }
  /** The socket type without SOCK_NONBLOCK/SOCK_CLOEXEC bits, as Python's `socket.type`. */
  get type(): number {
    return this.#type;
  }
  /** The protocol number, as Python's `socket.proto`. */
  get proto(): number {
    return this.#proto;
  }
  /** The timeout in seconds or `null`, as Python's `socket.timeout` property (same as `gettimeout()`). */
  get timeout(): number | null {
    return this.#timeout < 0 ? null : this.#timeout;
  }

  #closed(): never {
    throw badFd();
  }

  /**
   * Accepts a connection: `[conn, address]`. Calls `accept4(2)` with SOCK_CLOEXEC.
   * The new socket has the default timeout: blocking unless `setdefaulttimeout()` set one, even when this
   * listener has a timeout (CPython bpo-7995).
   * @throws TimeoutError in timeout mode; BlockingIOError in non-blocking mode with nothing pending.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.accept
   */
  accept<A extends SocketAddress = SocketAddress>(): [
    conn: SocketObject,
    address: A,
  ] {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    outSa.prepareOut();
    const nfd = sockCall(
      fd,
      this.#timeout,
      WAIT_READ,
      C.accept,
      outSa.bytes,
      outSa.lenBox,
      defaultTimeout >= 0,
    );
    outSa.takeLen();
    let address: A;
    try {
      address = unpackAddress(outSa) as A;
    } catch (e) {
      C.close(nfd);
      throw e;
    }
    const Ctor = SocketObject as unknown as new (
      ...a: unknown[]
    ) => SocketObject;
    return [
      new Ctor(
        ADOPT,
        nfd,
        this.#family,
        this.#type,
        this.#proto,
        defaultTimeout,
      ),
      address,
    ];
  }

  /**
   * Binds the socket to `address` (`[host, port]`, `[host, port, flowinfo, scope_id]` or a path). Calls `bind(2)`.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.bind
   */
  bind(address: Address): void {
    const fd = this.#fd;
    const len = packAddress(this.#family, address, "bind", inSa);
    if (fd < 0) this.#closed();
    const r = C.bind(fd, inSa.bytes, len);
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * Closes the socket (`close(2)`); idempotent. Afterwards `fileno()` is -1 and every operation raises EBADF.
   * ECONNRESET from close is ignored, as CPython does (bpo-30319); close is never retried.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.close
   */
  close(): void {
    // While files from makefile() are open, the descriptor stays open until the last one closes.
    this.#closing = true;
    if (this.#ioRefs > 0) return;
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this.#unregister();
    const r = C.close(fd);
    if (r < 0 && -r !== E.ECONNRESET) throw fromErrno(-r);
  }

  /** A file made by `makefile()` closed (CPython's `_decref_socketios`). */
  [IO_DECREF](): void {
    if (this.#ioRefs > 0) this.#ioRefs--;
    if (this.#closing) this.close();
  }

  /**
   * A file object for the socket, as Python's `socket.makefile(mode="r", buffering=None, *, encoding, errors,
   * newline)`: `"rb"`/`"wb"`/`"rwb"` give buffered binary files, `"r"`/`"w"`/`"rw"` text files, and
   * `buffering` 0 the raw `SocketIO`. Reads fill a buffer with one `recv_into` at a time. The descriptor stays
   * open until the socket and every file from it are closed. In timeout mode a timed-out read raises
   * `TimeoutError` and later reads raise `OSError("cannot read from timed out object")`, as CPython's.
   * @throws ValueError for a mode with letters other than r, w, b, or unbuffered text
   * @see https://docs.python.org/3/library/socket.html#socket.socket.makefile
   */
  makefile(
    mode?: "rb" | "wb" | "rwb" | "br" | "bw",
    buffering?: number | null,
  ): SocketFile;
  makefile(
    mode?: string,
    buffering?: number | null,
    options?: TextOptions,
  ): SocketFile;
  makefile(
    mode = "r",
    buffering: number | null = null,
    options: TextOptions = {},
  ): SocketFile {
    const b =
      buffering === null || buffering === undefined
        ? null
        : arg.cInt(buffering);
    const opts = arg.optionsArg(options, "makefile"); // encoding/errors/newline
    return makefileModule().makeFile(this, mode, b, opts, () => {
      this.#ioRefs++;
    });
  }

  /** `using s = socket.socket()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Connects to `address`. Calls `connect(2)`; in timeout mode (and after EINTR) it waits for
   * writability with `poll(2)` and reads `SO_ERROR`, never re-issuing `connect`.
   * Platform notes: Windows (as CPython there): a non-blocking connect raises BlockingIOError WSAEWOULDBLOCK
   * (10035) instead of EINPROGRESS, errors are `[WinError N]` with `winerror` set, and the wait in timeout mode
   * is Winsock's `select()` (a refused connection shows in its except set).
   * @throws ConnectionRefusedError, TimeoutError ("timed out"), BlockingIOError (non-blocking: EINPROGRESS), ...
   * @see https://docs.python.org/3/library/socket.html#socket.socket.connect
   */
  connect(address: Address): void {
    const err = this.#connect(address, "connect", true);
    if (err !== 0) throw fromErrno(err);
  }

  /**
   * Like `connect`, but returns the errno instead of raising it (0 on success). Bad arguments and
   * name-resolution failures still raise. A timeout returns EWOULDBLOCK, as CPython does.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.connect_ex
   */
  connect_ex(address: Address): number {
    return this.#connect(address, "connect_ex", false);
  }

  #connect(address: unknown, caller: string, raise: boolean): number {
    const fd = this.#fd;
    const len = packAddress(this.#family, address, caller, inSa);
    if (fd < 0) {
      if (raise) this.#closed();
      return E[F.closedSocket];
    }
    const r = C.connect(fd, inSa.bytes, len);
    if (r === 0) return 0;
    const err = -r;
    const timeout = this.#timeout;
    const wait =
      err === E.EINTR
        ? timeout !== 0
        : timeout > 0 && err === E[F.connectInProgress]; // Winsock: WSAEWOULDBLOCK
    if (!wait) return err;
    // CPython's sock_call_ex(connect=1): wait for writability (or error), then read SO_ERROR.
    const deadline = timeout > 0 ? now() + timeout * 1e9 : -1;
    for (;;) {
      const w = waitFd(fd, WAIT_CONNECT, deadline);
      if (w === 0) {
        if (raise) throw timedOut();
        return E.EWOULDBLOCK;
      }
      if (w < 0) return -w;
      const so = C.getIntOpt(fd, K.SOL_SOCKET, K.SO_ERROR);
      if (so.err === E.EINTR) continue;
      if (so.err) return so.err;
      return so.value === E.EISCONN ? 0 : so.value;
    }
  }

  /**
   * The socket's descriptor, or -1 after `close()`/`detach()`.
   * Platform notes: on Windows the SOCKET handle value, as in CPython.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.fileno
   */
  fileno(): number {
    return this.#fd;
  }

  /**
   * Gives up the descriptor without closing it and returns it; the socket object is closed afterwards.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.detach
   */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    this.#unregister();
    return fd;
  }

  /**
   * A new socket object on a duplicate descriptor (`fcntl(F_DUPFD_CLOEXEC)`), same family/type/proto and timeout.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.dup
   */
  dup(): SocketObject {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const nfd = C.dup(fd);
    if (nfd < 0) throw fromErrno(-nfd);
    const Ctor = SocketObject as unknown as new (
      ...a: unknown[]
    ) => SocketObject;
    const s = new Ctor(ADOPT, nfd, this.#family, this.#type, this.#proto, -1);
    s.settimeout(this.timeout);
    return s;
  }

  /**
   * Whether the descriptor is inherited by child processes (close-on-exec clear).
   * Platform notes: on Windows the handle's HANDLE_FLAG_INHERIT (`GetHandleInformation`), as in CPython.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.get_inheritable
   */
  get_inheritable(): boolean {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.getCloexec(fd);
    if (r < 0) throw fromErrno(-r);
    return r === 0;
  }

  /** Sets whether the descriptor is inherited by child processes (`fcntl(F_SETFD)`). @see https://docs.python.org/3/library/socket.html#socket.socket.set_inheritable */
  set_inheritable(inheritable: boolean): void {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.setCloexec(fd, !inheritable);
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * Python's `socket.share(process_id)`: bytes that let process `process_id` open this same socket with
   * `socket.fromshare()` (Winsock's `WSADuplicateSocketW`). The socket stays open here too.
   *
   * Platform notes: Windows only, as in CPython; elsewhere it raises OSError EOPNOTSUPP (CPython: no such
   * method).
   * @example
   * ```ts
   * const blob = s.share(childPid); // hand `blob` to the child, which calls socket.fromshare(blob)
   * ```
   * @see https://docs.python.org/3/library/socket.html#socket.socket.share
   */
  share(process_id: number): Buffer {
    const pid = arg.cInt(process_id);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.shareSocket(fd, pid);
    if (typeof r === "number") throw fromErrno(-r);
    return Buffer.from(r);
  }

  /** The remote address (`getpeername(2)`). @see https://docs.python.org/3/library/socket.html#socket.socket.getpeername */
  getpeername<A extends SocketAddress = SocketAddress>(): A {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    outSa.prepareOut();
    const r = C.getpeername(fd, outSa.bytes, outSa.lenBox);
    if (r < 0) throw fromErrno(-r);
    outSa.takeLen();
    return unpackAddress(outSa) as A;
  }

  /**
   * The socket's own address (`getsockname(2)`).
   * Platform notes: Winsock fails on an unbound socket (OSError WSAEINVAL), as CPython does there.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.getsockname
   */
  getsockname<A extends SocketAddress = SocketAddress>(): A {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    outSa.prepareOut();
    const r = C.getsockname(fd, outSa.bytes, outSa.lenBox);
    if (r < 0) throw fromErrno(-r);
    outSa.takeLen();
    return unpackAddress(outSa) as A;
  }

  /**
   * Reads a socket option (`getsockopt(2)`): an int, or with `buflen` (1..1024) the raw bytes as a Buffer
   * (`buflen` 0 is the int form, as in CPython).
   * @throws OSError "getsockopt buflen out of range"
   * @see https://docs.python.org/3/library/socket.html#socket.socket.getsockopt
   */
  getsockopt(level: number, optname: number, buflen?: 0): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    const lv = arg.cInt(level);
    const name = arg.cInt(optname);
    const fd = this.#fd;
    if (buflen === undefined) {
      if (fd < 0) this.#closed();
      const r = C.getIntOpt(fd, lv, name);
      if (r.err) throw fromErrno(r.err);
      return r.value;
    }
    const n = arg.cInt(buflen);
    // CPython: buflen 0 (its default) means an int option, as if no buflen were given.
    if (n === 0) return this.getsockopt(lv, name);
    if (n < 0 || n > 1024) throw new OSError("getsockopt buflen out of range");
    if (fd < 0) this.#closed();
    const buf = Buffer.from(new ArrayBuffer(n));
    optLen[0] = n;
    const r = C.getsockopt(fd, lv, name, buf, optLen);
    if (r < 0) throw fromErrno(-r);
    return buf.subarray(0, Math.min(optLen[0]!, n));
  }

  /**
   * Sets a socket option (`setsockopt(2)`): an int (or boolean) as a C int, bytes as the raw option,
   * or `setsockopt(level, optname, null, optlen)` for a NULL value of `optlen` bytes.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.setsockopt
   */
  setsockopt(
    level: number,
    optname: number,
    value: number | boolean | arg.BytesLike,
  ): void;
  setsockopt(level: number, optname: number, value: null, optlen: number): void;
  setsockopt(
    level: number,
    optname: number,
    value: unknown,
    optlen?: number,
  ): void {
    const lv = arg.cInt(level);
    const name = arg.cInt(optname);
    const fd = this.#fd;
    let r: number;
    if (arguments.length >= 4) {
      // CPython parses "iiO!I" (None, optlen), then "iii", then "iiy*": when the None form does not
      // fit, the error is the last parser's argument count.
      let len = NaN;
      try {
        len = arg.index(optlen);
      } catch {
        /* reported below */
      }
      if (value !== null || Number.isNaN(len) || arguments.length > 4)
        throw new TypeError(
          `setsockopt() takes exactly 3 arguments (${arguments.length} given)`,
        );
      if (fd < 0) this.#closed();
      // "I" masks to 32 bits without an overflow check: -1 becomes 0xffffffff (then EINVAL from the kernel).
      r = C.setsockopt(fd, lv, name, null, len >>> 0);
    } else if (
      typeof value === "number" ||
      typeof value === "boolean" ||
      typeof value === "bigint"
    ) {
      // "iii" takes a C int; anything else (a float, an int beyond C int) falls through to "iiy*".
      const v = typeof value === "boolean" ? +value : Number(value);
      if (!Number.isInteger(v) || v > 0x7fffffff || v < -0x80000000)
        throw new TypeError(
          `a bytes-like object is required, not '${arg.pyType(value)}'`,
        );
      if (fd < 0) this.#closed();
      r = C.setIntOpt(fd, lv, name, v);
    } else {
      const b = arg.strictBytes(value);
      if (fd < 0) this.#closed();
      r = C.setsockopt(fd, lv, name, b.length ? b : null, b.length);
    }
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * Listens for connections (`listen(2)`); the default backlog is `min(SOMAXCONN, 128)`, a negative one is 0.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.listen
   */
  listen(backlog?: number): void {
    let b =
      backlog === undefined ? Math.min(K.SOMAXCONN, 128) : arg.cInt(backlog);
    if (b < 0) b = 0;
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.listen(fd, b);
    if (r < 0) throw fromErrno(-r);
  }

  /**
   * Receives up to `bufsize` bytes (`recv(2)`) and returns them as a Buffer; an empty Buffer means the peer
   * closed. `recv(0)` returns an empty Buffer without a call.
   * Platform notes: on Windows a datagram longer than `bufsize` raises OSError WSAEMSGSIZE (10040) after
   * filling the buffer, as in CPython there (POSIX truncates silently).
   * @throws ValueError "negative buffersize in recv"; TimeoutError; BlockingIOError; ConnectionResetError
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recv
   */
  recv(bufsize: number, flags = 0): Buffer {
    const n =
      typeof bufsize === "number" &&
      bufsize >= 0 &&
      bufsize <= SCRATCH_SIZE &&
      (bufsize | 0) === bufsize
        ? bufsize
        : arg.bufsize(bufsize, "recv");
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    // CPython checks the size before the descriptor: recv(0) on a closed socket returns b''.
    if (n === 0) return Buffer.alloc(0);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    if (n <= SCRATCH_SIZE) {
      const got = sockCall(
        fd,
        this.#timeout,
        WAIT_READ,
        C.recv,
        scratch,
        n,
        flags,
      );
      const out = Buffer.allocUnsafe(got);
      scratch.copy(out, 0, 0, got);
      return out;
    }
    const buf = allocBig(n);
    const got = sockCall(fd, this.#timeout, WAIT_READ, C.recv, buf, n, flags);
    return shrink(buf, got);
  }

  /**
   * Receives up to `bufsize` bytes and the sender's address: `[data, address]` (`recvfrom(2)`).
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recvfrom
   */
  recvfrom<A extends AddressOut = AddressOut>(
    bufsize: number,
    flags = 0,
  ): [data: Buffer, address: A] {
    const n = arg.bufsize(bufsize, "recvfrom");
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const buf = n <= SCRATCH_SIZE ? scratch : allocBig(n);
    outSa.prepareOut();
    const got = sockCall(
      fd,
      this.#timeout,
      WAIT_READ,
      C.recvfrom,
      buf,
      n,
      flags,
      outSa.bytes,
      outSa.lenBox,
    );
    outSa.takeLen();
    let data: Buffer;
    if (buf === scratch) {
      data = got === 0 ? Buffer.alloc(0) : Buffer.allocUnsafe(got);
      scratch.copy(data, 0, 0, got);
    } else data = shrink(buf, got);
    return [data, unpackAddress(outSa) as A];
  }

  /**
   * Receives into `buffer` (any TypedArray, DataView or ArrayBuffer; zero-copy: the memory goes straight
   * to `recv(2)`) and returns the byte count. `nbytes` 0 means the whole buffer.
   * @throws ValueError "negative buffersize in recv_into" / "buffer too small for requested bytes"
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recv_into
   */
  recv_into(
    buffer: ArrayBufferView | ArrayBuffer,
    nbytes = 0,
    flags = 0,
  ): number {
    const b =
      buffer instanceof Uint8Array ? buffer : intoBuffer(buffer, "recv_into");
    let n = nbytes === 0 ? 0 : arg.bufsize(nbytes, "recv_into");
    if (n > b.length)
      throw new ValueError("buffer too small for requested bytes");
    if (n === 0) n = b.length;
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    // As CPython: an empty buffer returns 0 before the descriptor is looked at (even when closed).
    if (n === 0) return 0;
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    return sockCall(fd, this.#timeout, WAIT_READ, C.recv, b, n, flags);
  }

  /**
   * Like `recv_into`, also returning the sender: `[nbytes, address]` (`recvfrom(2)`).
   * @throws ValueError "negative buffersize in recvfrom_into" / "nbytes is greater than the length of the buffer"
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recvfrom_into
   */
  recvfrom_into(
    buffer: ArrayBufferView | ArrayBuffer,
    nbytes = 0,
    flags = 0,
  ): [nbytes: number, address: AddressOut] {
    const b =
      buffer instanceof Uint8Array
        ? buffer
        : intoBuffer(buffer, "recvfrom_into");
    let n = nbytes === 0 ? 0 : arg.bufsize(nbytes, "recvfrom_into");
    if (n > b.length)
      throw new ValueError("nbytes is greater than the length of the buffer");
    if (n === 0) n = b.length;
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    outSa.prepareOut();
    const got = sockCall(
      fd,
      this.#timeout,
      WAIT_READ,
      C.recvfrom,
      b,
      n,
      flags,
      outSa.bytes,
      outSa.lenBox,
    );
    outSa.takeLen();
    return [got, unpackAddress(outSa)];
  }

  /**
   * Sends `data` (`send(2)`, with MSG_NOSIGNAL) and returns how many bytes went; may be fewer than given.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.send
   */
  send(data: arg.BytesLike, flags = 0): number {
    const b = data instanceof Uint8Array ? data : arg.bytes(data);
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    return sockCall(fd, this.#timeout, WAIT_WRITE, C.send, b, b.length, flags);
  }

  /**
   * Sends all of `data`, calling `send(2)` until done. In timeout mode the timeout bounds the whole call
   * (one deadline, CPython 3.5+). On failure the error's `bytes_sent` says how much went.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.sendall
   */
  sendall(data: arg.BytesLike, flags = 0): void {
    const b = data instanceof Uint8Array ? data : arg.bytes(data);
    if ((flags | 0) !== flags) flags = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const len = b.length;
    const timeout = this.#timeout;
    let off = 0;
    let deadline = 0;
    do {
      const r = C.send(fd, off === 0 ? b : b.subarray(off), len - off, flags);
      if (r >= 0) {
        off += r;
        continue;
      }
      const code = -r;
      if (code === E.EINTR) continue;
      let err: OSError;
      if (timeout > 0 && (code === E.EAGAIN || code === E.EWOULDBLOCK)) {
        if (deadline === 0) deadline = now() + timeout * 1e9;
        const w = waitFd(fd, WAIT_WRITE, deadline);
        if (w > 0) continue;
        err = w === 0 ? timedOut() : fromErrno(-w);
      } else err = fromErrno(code);
      err.bytes_sent = off;
      throw err;
    } while (off < len);
  }

  /**
   * Sends a datagram to `address` (`sendto(2)`): `sendto(data, address)` or `sendto(data, flags, address)`.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.sendto
   */
  sendto(data: arg.BytesLike, address: Address): number;
  sendto(data: arg.BytesLike, flags: number, address: Address): number;
  sendto(
    data: arg.BytesLike,
    flagsOrAddress: unknown,
    address?: unknown,
  ): number {
    const argc = arguments.length;
    if (argc < 2 || argc > 3)
      throw new TypeError(`sendto() takes 2 or 3 arguments (${argc} given)`);
    const b = data instanceof Uint8Array ? data : arg.bytes(data);
    let flags = 0;
    let addr = flagsOrAddress;
    if (argc === 3) {
      flags = arg.cInt(flagsOrAddress);
      addr = address;
    }
    const len = packAddress(this.#family, addr, "sendto", inSa);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    return sockCall(
      fd,
      this.#timeout,
      WAIT_WRITE,
      C.sendto,
      b,
      b.length,
      flags,
      inSa.bytes,
      len,
    );
  }

  /**
   * Sends `buffers` gathered into one message with ancillary data `ancdata` (`[level, type, data]` items),
   * to `address` when given (`sendmsg(2)`, with MSG_NOSIGNAL). Returns the bytes sent.
   * Platform notes: not in Winsock's BSD API (CPython has no `sendmsg` on Windows): there it raises OSError
   * WSAEOPNOTSUPP (`plat.features.sendmsg` is false).
   * @see https://docs.python.org/3/library/socket.html#socket.socket.sendmsg
   */
  sendmsg(
    buffers: Iterable<arg.BytesLike>,
    ancdata: Iterable<[level: number, type: number, data: arg.BytesLike]> = [],
    flags = 0,
    address: Address | null = null,
  ): number {
    const bufs = iterBytes(buffers, "sendmsg() argument 1 must be an iterable");
    const items: Msg.Cmsg[] = [];
    for (const item of iterOf(
      ancdata,
      "sendmsg() argument 2 must be an iterable",
    )) {
      if (!Array.isArray(item))
        throw new TypeError(
          `[sendmsg() ancillary data items]() argument must be 3-item sequence, not ${arg.pyType(item)}`,
        );
      if (item.length !== 3)
        throw new TypeError(
          `[sendmsg() ancillary data items]() argument must be sequence of length 3, not ${item.length}`,
        );
      items.push([
        arg.cInt(item[0]),
        arg.cInt(item[1]),
        arg.strictBytes(item[2]),
      ]);
    }
    const fl = arg.cInt(flags);
    let namelen = 0;
    if (address !== null && address !== undefined)
      namelen = packAddress(this.#family, address, "sendmsg", inSa);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const control = msg().packCmsgs(items);
    return sockCall(
      fd,
      this.#timeout,
      WAIT_WRITE,
      sendmsgImpl,
      bufs,
      control,
      namelen ? inSa.bytes : null,
      namelen,
      fl,
    );
  }

  /**
   * Receives up to `bufsize` bytes and up to `ancbufsize` bytes of ancillary data (`recvmsg(2)`):
   * `[data, ancdata, msg_flags, address]`, `ancdata` being `[level, type, data]` items. Truncated ancillary data
   * is returned as far as it arrived, with MSG_CTRUNC in `msg_flags`.
   * Platform notes: not on Windows (CPython has no `recvmsg` there): it raises OSError WSAEOPNOTSUPP.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recvmsg
   */
  recvmsg(
    bufsize: number,
    ancbufsize = 0,
    flags = 0,
  ): [
    data: Buffer,
    ancdata: [level: number, type: number, data: Buffer][],
    msg_flags: number,
    address: AddressOut,
  ] {
    const n = ssize(bufsize);
    if (n < 0) throw new ValueError("negative buffer size in recvmsg()");
    const anc = ancBufSize(ancbufsize);
    const fl = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const buf = n <= SCRATCH_SIZE ? scratch.subarray(0, n) : allocBig(n);
    const [got, ancdata, mflags, address] = this.#recvmsg(fd, [buf], anc, fl);
    const data = Buffer.allocUnsafe(got);
    data.set(buf.subarray(0, got));
    return [data, ancdata, mflags, address];
  }

  /**
   * Like `recvmsg`, scattering the data into `buffers` (any writable views, zero-copy):
   * `[nbytes, ancdata, msg_flags, address]`.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.recvmsg_into
   */
  recvmsg_into(
    buffers: Iterable<ArrayBufferView | ArrayBuffer>,
    ancbufsize = 0,
    flags = 0,
  ): [
    nbytes: number,
    ancdata: [level: number, type: number, data: Buffer][],
    msg_flags: number,
    address: AddressOut,
  ] {
    // Converted one item at a time: a 100 MB Buffer passed as `buffers` fails on its first
    // element (a number), not after spreading 100 million of them.
    const bufs: Uint8Array[] = [];
    for (const x of iterOf(
      buffers,
      "recvmsg_into() argument 1 must be an iterable",
    )) {
      try {
        bufs.push(arg.writableBytes(x));
      } catch {
        throw new TypeError(
          "recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers",
        );
      }
    }
    const anc = ancBufSize(ancbufsize);
    const fl = arg.cInt(flags);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    return this.#recvmsg(fd, bufs, anc, fl);
  }

  #recvmsg(
    fd: number,
    bufs: Uint8Array[],
    anc: number,
    flags: number,
  ): [
    number,
    [level: number, type: number, data: Buffer][],
    number,
    AddressOut,
  ] {
    const control = anc > 0 ? new Uint8Array(new ArrayBuffer(anc)) : null;
    const got = sockCall(
      fd,
      this.#timeout,
      WAIT_READ,
      msg().recvmsg,
      bufs,
      control,
      outSa.bytes,
      flags,
    );
    const info = msg().recvInfo;
    const ancdata = control
      ? msg()
          .parseCmsgs(control, info.controllen)
          .map(([l, t, d]): [number, number, Buffer] => [l, t, Buffer.from(d)])
      : [];
    outSa.len = Math.min(info.namelen, outSa.bytes.length);
    return [got, ancdata, info.flags, unpackAddress(outSa)];
  }

  /**
   * Sends a file over a connected stream socket until EOF or `count` bytes, from `offset`: Linux `sendfile(2)`
   * for anything with a descriptor (an fd number, an object with `fileno()` or `fd`, a `Bun.file`), falling
   * back to a read + send loop; returns the bytes sent. In timeout mode each wait is bounded by the timeout.
   * Platform notes: macOS uses BSD `sendfile(2)`; Windows has no sendfile for sockets here, so it is CPython's
   * read + send loop (as CPython on Windows).
   * @throws ValueError for a non-blocking socket, a non-stream socket, or a text-mode file; TypeError/ValueError
   *   for a bad `count`
   * @see https://docs.python.org/3/library/socket.html#socket.socket.sendfile
   */
  sendfile(
    file: SendfileSource,
    offset = 0,
    count: number | null = null,
  ): number {
    // Loaded on first use (it pulls in node:fs): start-up time matters more than this call.
    const { sendfileImpl } =
      require("./sendfile.ts") as typeof import("./sendfile.ts");
    return sendfileImpl(
      {
        fileno: () => this.#fd,
        type: this.#type,
        gettimeout: () => this.gettimeout(),
        send: (b) => this.send(b),
      },
      file,
      offset,
      count,
    );
  }

  /**
   * Sets blocking (`true`: same as `settimeout(null)`) or non-blocking (`false`: `settimeout(0)`) mode.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.setblocking
   */
  setblocking(flag: boolean): void {
    this.#setMode(flag ? -1 : 0);
  }

  /** `false` only in non-blocking mode (timeout 0). @see https://docs.python.org/3/library/socket.html#socket.socket.getblocking */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /**
   * Sets the timeout in seconds (`null`: blocking; `0`: non-blocking). Any timeout other than `null` puts the
   * descriptor in O_NONBLOCK mode (`fcntl`), as CPython does.
   * @throws ValueError "Timeout value out of range"; TypeError for a non-number
   * @see https://docs.python.org/3/library/socket.html#socket.socket.settimeout
   */
  settimeout(value: number | null): void {
    this.#setMode(arg.timeout(value));
  }

  #setMode(t: number): void {
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.setNonBlocking(fd, t >= 0);
    if (r < 0) throw fromErrno(-r);
    this.#timeout = t;
  }

  /** The timeout in seconds, or `null` in blocking mode. @see https://docs.python.org/3/library/socket.html#socket.socket.gettimeout */
  gettimeout(): number | null {
    return this.#timeout < 0 ? null : this.#timeout;
  }

  /**
   * Shuts down reading (`SHUT_RD`), writing (`SHUT_WR`) or both (`SHUT_RDWR`) (`shutdown(2)`).
   * @see https://docs.python.org/3/library/socket.html#socket.socket.shutdown
   */
  shutdown(how: number): void {
    const h = arg.cIntStrict(how);
    const fd = this.#fd;
    if (fd < 0) this.#closed();
    const r = C.shutdown(fd, h);
    if (r < 0) throw fromErrno(-r);
  }

  /** Python's `repr(sock)`: `<socket.socket fd=5, family=2, type=1, proto=0, laddr=('127.0.0.1', 8080)>`. */
  toString(): string {
    const fd = this.#fd;
    // socket.py __repr__: "[closed]" once close() was called, even while a makefile() file keeps the fd open
    // (then fd is still shown and the addresses are not).
    const closed = fd < 0 || this.#closing;
    let s = `<socket.socket${closed ? " [closed]" : ""} fd=${fd}, family=${this.#family}, type=${this.#type}, proto=${this.#proto}`;
    if (!closed) {
      for (const [label, get] of [
        ["laddr", (): AddressOut => this.getsockname()],
        ["raddr", (): AddressOut => this.getpeername()],
      ] as const) {
        try {
          const a = get();
          // socket.py __repr__: `if laddr:` skips '' (an unnamed AF_UNIX socket) and None.
          if (a !== null && a.length !== 0) s += `, ${label}=${reprAddress(a)}`;
        } catch {
          /* not bound / not connected */
        }
      }
    }
    return s + ">";
  }

  /** Shown by `console.log` and `Bun.inspect`. */
  [SHOW_ADDR](): string {
    return this.toString();
  }
}
Object.defineProperty(SocketObject, "name", { value: "socket" });

/** Python's `str(address)`, as socket.py's __repr__ uses it: tuples in parentheses, a path string bare. */
function reprAddress(a: AddressOut): string {
  if (typeof a === "string") return a;
  if (Buffer.isBuffer(a))
    return `b'${[...a].map((c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`)).join("")}'`;
  if (a === null) return "None";
  return `(${a.map((x) => (typeof x === "string" ? `'${x}'` : String(x))).join(", ")})`;
}

function allocBig(n: number): Buffer {
  try {
    return Buffer.allocUnsafeSlow(n);
  } catch {
    throw new MemoryError(`cannot allocate ${n} bytes`);
  }
}

/** Returns the first `n` bytes of `buf`, copying when most of it would be wasted. */
function shrink(buf: Buffer, n: number): Buffer {
  if (n === buf.length) return buf;
  if (n > buf.length / 2) return buf.subarray(0, n);
  const out = Buffer.allocUnsafe(n);
  buf.copy(out, 0, 0, n);
  return out;
}

/** AF_* of an adopted descriptor: `SO_DOMAIN` where the OS has it, else `getsockname`'s family. */
function detectFamily(fd: number): number {
  if (F.soDomain && K.SO_DOMAIN !== undefined) {
    const d = C.getIntOpt(fd, K.SOL_SOCKET, K.SO_DOMAIN);
    if (!d.err) return d.value;
  }
  // Windows: getsockname fails on an unbound socket; SO_PROTOCOL_INFOW knows the family.
  const info = C.socketInfo(fd);
  if (info) return info[0];
  outSa.prepareOut();
  const r = C.getsockname(fd, outSa.bytes, outSa.lenBox);
  if (r < 0) throw fromErrno(-r);
  outSa.takeLen();
  return outSa.family();
}

export { EMPTY as _EMPTY };

/** `sendmsg` through the platform layer, with MSG_NOSIGNAL. */
function sendmsgImpl(
  fd: number,
  bufs: Uint8Array[],
  control: Uint8Array | null,
  name: Uint8Array | null,
  namelen: number,
  flags: number,
): number {
  return msg().sendmsg(fd, bufs, control, name, namelen, flags | C.SEND_FLAGS);
}

/** A writable byte view of `x`, or CPython's TypeError for `fn()`'s buffer argument. */
function intoBuffer(x: unknown, fn: string): Uint8Array {
  try {
    return arg.writableBytes(x);
  } catch {
    throw new TypeError(
      `${fn}() argument 1 must be read-write bytes-like object, not ${arg.pyType(x)}`,
    );
  }
}

/** CPython's "n" format: an integer that fits `Py_ssize_t`, else OverflowError. */
function ssize(x: unknown): number {
  const n = arg.index(x);
  if (n >= 2 ** 63 || n < -(2 ** 63))
    throw new OverflowError("Python int too large to convert to C ssize_t");
  return n;
}

/** `ancbufsize` of recvmsg/recvmsg_into: CPython allows 0..SOCKLEN_T_LIMIT (INT_MAX). */
function ancBufSize(x: unknown): number {
  const n = ssize(x);
  if (n < 0 || n > 0x7fffffff)
    throw new ValueError("invalid ancillary data buffer length");
  return n;
}

function iterOf<T>(x: Iterable<T>, message: string): Iterable<T> {
  if (
    x === null ||
    x === undefined ||
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] !==
      "function"
  )
    throw new TypeError(message);
  return x;
}

function iterBytes(x: Iterable<arg.BytesLike>, message: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of iterOf(x, message)) out.push(arg.bytes(b));
  return out;
}
