/** One thin wrapper per OS call: returns the result (>= 0) or `-code`, capturing the error right after the call. */
import { plat, type Ptr } from "../ffi/index.ts";

const sys = plat.sys;
const F = plat.features;
const K = plat.consts;
// Only BSDs have SO_NOSIGPIPE; the Linux table has no such key.
const SO_NOSIGPIPE =
  (K as Readonly<Record<string, number>>)["SO_NOSIGPIPE"] ?? -1;

/** Flags every send gets: MSG_NOSIGNAL where the OS has it (else SO_NOSIGPIPE is set per socket). */
export const SEND_FLAGS: number = F.msgNoSignal ? (K.MSG_NOSIGNAL ?? 0) : 0;
/** Type flags for `socket()`/`accept4()`: close-on-exec always, non-blocking on request. */
export const SOCK_CLOEXEC: number = F.sockTypeFlags ? (K.SOCK_CLOEXEC ?? 0) : 0;
export const SOCK_NONBLOCK: number = F.sockTypeFlags
  ? (K.SOCK_NONBLOCK ?? 0)
  : 0;

function ret(r: number): number {
  return r < 0 ? -sys.lastError() : r;
}

/** `socket(2)` (close-on-exec; `nonblock` adds SOCK_NONBLOCK, or fcntl where the OS lacks type flags). */
export function socket(
  family: number,
  type: number,
  proto: number,
  nonblock: boolean,
): number {
  const fd = sys.socket(
    family,
    type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
    proto,
  );
  if (fd < 0) return -sys.lastError();
  if (!F.sockTypeFlags) {
    const e = configureNew(fd, nonblock);
    if (e < 0) return e;
  }
  return fd;
}

/** Sets close-on-exec, non-blocking mode and SO_NOSIGPIPE by hand where `socket()` cannot (closing the fd on failure). */
function configureNew(fd: number, nonblock: boolean): number {
  if (
    sys.setCloexec(fd, true) < 0 ||
    (nonblock && sys.setNonBlocking(fd, true) < 0)
  ) {
    const e = sys.lastError();
    sys.closeSocket(fd);
    return -e;
  }
  if (F.soNoSigpipe) setIntOpt(fd, K.SOL_SOCKET, SO_NOSIGPIPE, 1);
  return 0;
}

/** `socketpair(2)`; the two descriptors land in `sv`. */
export function socketpair(
  family: number,
  type: number,
  proto: number,
  nonblock: boolean,
  sv: Int32Array,
): number {
  const r = sys.socketpair(
    family,
    type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
    proto,
    sv,
  );
  if (r < 0) return -sys.lastError();
  if (!F.sockTypeFlags) {
    for (const fd of sv) {
      const e = configureNew(fd, nonblock);
      if (e < 0) return e;
    }
  }
  return 0;
}

/** `bind(2)`. */
export function bind(fd: number, addr: Ptr, len: number): number {
  return ret(sys.bind(fd, addr, len));
}

/** `listen(2)`. */
export function listen(fd: number, backlog: number): number {
  return ret(sys.listen(fd, backlog));
}

/** `accept4(2)` with SOCK_CLOEXEC (and SOCK_NONBLOCK on request); `addr`/`len` receive the peer. */
export function accept(
  fd: number,
  addr: Ptr,
  len: Ptr,
  nonblock: boolean,
): number {
  const r = sys.accept(
    fd,
    addr,
    len,
    SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
  );
  if (r < 0) return -sys.lastError();
  if (!F.sockTypeFlags) {
    // BSD accept() inherits O_NONBLOCK from the listener: set the mode explicitly.
    const e = configureNew(r, false);
    if (e < 0) return e;
    if (sys.setNonBlocking(r, nonblock) < 0) {
      const e2 = sys.lastError();
      sys.closeSocket(r);
      return -e2;
    }
  }
  return r;
}

/** `connect(2)`. Never re-issued after EINTR by callers: they wait for writability instead. */
export function connect(fd: number, addr: Ptr, len: number): number {
  return ret(sys.connect(fd, addr, len));
}

/** `recv(2)`. */
export function recv(fd: number, buf: Ptr, n: number, flags: number): number {
  return ret(sys.recv(fd, buf, n, flags));
}

/** `recvfrom(2)`. */
export function recvfrom(
  fd: number,
  buf: Ptr,
  n: number,
  flags: number,
  addr: Ptr,
  len: Ptr,
): number {
  return ret(sys.recvfrom(fd, buf, n, flags, addr, len));
}

/** `send(2)` with MSG_NOSIGNAL. */
export function send(fd: number, buf: Ptr, n: number, flags: number): number {
  return ret(sys.send(fd, buf, n, flags | SEND_FLAGS));
}

/** `sendto(2)` with MSG_NOSIGNAL. */
export function sendto(
  fd: number,
  buf: Ptr,
  n: number,
  flags: number,
  addr: Ptr,
  len: number,
): number {
  return ret(sys.sendto(fd, buf, n, flags | SEND_FLAGS, addr, len));
}

/** `shutdown(2)`. */
export function shutdown(fd: number, how: number): number {
  return ret(sys.shutdown(fd, how));
}

/** `close(2)` / `closesocket`; never retried (on Linux the fd is gone even after EINTR). */
export function close(fd: number): number {
  return ret(sys.closeSocket(fd));
}

/** A close-on-exec duplicate (`fcntl(F_DUPFD_CLOEXEC)`). */
export function dup(fd: number): number {
  return ret(sys.dupSocket(fd));
}

/** `getsockopt(2)` into `val`; `lenBox[0]` holds the buffer size in and the option size out. */
export function getsockopt(
  fd: number,
  level: number,
  name: number,
  val: Ptr,
  lenBox: Uint32Array,
): number {
  return ret(sys.getsockopt(fd, level, name, val, lenBox));
}

/** `setsockopt(2)`. */
export function setsockopt(
  fd: number,
  level: number,
  name: number,
  val: Ptr,
  len: number,
): number {
  return ret(sys.setsockopt(fd, level, name, val, len));
}

const intBox = new Int32Array(new ArrayBuffer(4));
const intLen = new Uint32Array(new ArrayBuffer(4));

/** `getsockopt(2)` of an int option: `{ value, err }`, `err` being 0 or the error code. */
export function getIntOpt(
  fd: number,
  level: number,
  name: number,
): { value: number; err: number } {
  intBox[0] = 0;
  intLen[0] = 4;
  const r = sys.getsockopt(fd, level, name, intBox, intLen);
  if (r < 0) return { value: 0, err: sys.lastError() };
  return { value: intBox[0]!, err: 0 };
}

/** `setsockopt(2)` of an int option; 0 or -code. */
export function setIntOpt(
  fd: number,
  level: number,
  name: number,
  value: number,
): number {
  intBox[0] = value;
  return ret(sys.setsockopt(fd, level, name, intBox, 4));
}

/** `getsockname(2)`. */
export function getsockname(fd: number, addr: Ptr, len: Ptr): number {
  return ret(sys.getsockname(fd, addr, len));
}

/** `getpeername(2)`. */
export function getpeername(fd: number, addr: Ptr, len: Ptr): number {
  return ret(sys.getpeername(fd, addr, len));
}

/** Sets or clears O_NONBLOCK (`fcntl` / `ioctlsocket(FIONBIO)`). */
export function setNonBlocking(fd: number, on: boolean): number {
  return ret(sys.setNonBlocking(fd, on));
}

/** 1 when O_NONBLOCK is set, 0 when not, or -code. */
export function getNonBlocking(fd: number): number {
  return ret(sys.getNonBlocking(fd));
}

/** 1 when close-on-exec is set, 0 when not, or -code. */
export function getCloexec(fd: number): number {
  return ret(sys.getCloexec(fd));
}

/** Sets or clears close-on-exec. */
export function setCloexec(fd: number, on: boolean): number {
  return ret(sys.setCloexec(fd, on));
}

const ntopBuf = new Uint8Array(new ArrayBuffer(64));
const ptonIn = new Uint8Array(new ArrayBuffer(256));
const ptonOut = new Uint8Array(new ArrayBuffer(16));

/** `inet_ntop(3)`: text of a 4- or 16-byte address, or `null` (unknown family: errno set). */
export function inetNtop(af: number, src: Uint8Array): string | null {
  ntopBuf.fill(0);
  const p = sys.inet_ntop(af, src, ntopBuf, ntopBuf.length);
  if (!p) return null;
  const end = ntopBuf.indexOf(0);
  return new TextDecoder().decode(
    ntopBuf.subarray(0, end < 0 ? ntopBuf.length : end),
  );
}

/**
 * `inet_pton(3)` of ASCII text (no NUL inside, shorter than 255 bytes): the address bytes (a copy),
 * `null` when the text is malformed, or `-code` when the family is not supported.
 */
export function inetPton(
  af: number,
  text: Uint8Array,
): Uint8Array | null | number {
  if (text.length >= ptonIn.length) return null;
  ptonIn.fill(0);
  ptonIn.set(text);
  const r = sys.inet_pton(af, ptonIn, ptonOut);
  if (r < 0) return -sys.lastError();
  if (r === 0) return null;
  return ptonOut.slice(0, af === K.AF_INET ? 4 : 16);
}

/** `inet_aton(3)`: the 4 bytes, or `null` when malformed (it accepts libc's short forms such as `127.1`). */
export function inetAton(text: Uint8Array): Uint8Array | null {
  if (text.length >= ptonIn.length) return null;
  ptonIn.fill(0);
  ptonIn.set(text);
  return sys.inet_aton(ptonIn, ptonOut) === 0 ? null : ptonOut.slice(0, 4);
}

const offBox = new BigInt64Array(new ArrayBuffer(8));

/**
 * `sendfile(2)` from `inFd` at `offset` (the file position is not used or moved): bytes sent, or -errno.
 * Returns `-ENOSYS` where the OS has no sendfile.
 */
export function sendfile(
  outFd: number,
  inFd: number,
  offset: number,
  count: number,
): number {
  if (!sys.sendfile) return -plat.errnos.ENOSYS;
  offBox[0] = BigInt(offset);
  return ret(sys.sendfile(outFd, inFd, offBox, count));
}

const infoBox = new Int32Array(new ArrayBuffer(12));

/**
 * `[family, type, protocol]` of a socket from `sys.socketInfo` (Windows `getsockopt(SO_PROTOCOL_INFOW)`),
 * or `null` where the OS has no such call or it failed.
 */
export function socketInfo(
  fd: number,
): [family: number, type: number, proto: number] | null {
  if (!sys.socketInfo || sys.socketInfo(fd, infoBox) < 0) return null;
  return [infoBox[0]!, infoBox[1]!, infoBox[2]!];
}

/**
 * Windows `WSADuplicateSocketW(fd, pid)`: the `WSAPROTOCOL_INFOW` bytes that let process `pid` open the same
 * socket, or -code; `-EOPNOTSUPP` where the OS has no such call (POSIX).
 */
export function shareSocket(fd: number, pid: number): Uint8Array | number {
  const size = plat.layout.protocolInfoSize;
  if (!sys.shareSocket || size === undefined) return -plat.errnos.EOPNOTSUPP;
  const info = new Uint8Array(new ArrayBuffer(size));
  const r = sys.shareSocket(fd, pid, info);
  return r < 0 ? -sys.lastError() : info;
}

/** Windows: a socket from `shareSocket` bytes (`WSASocketW(FROM_PROTOCOL_INFO...)`), or -code (`-EOPNOTSUPP` on POSIX). */
export function fromShare(info: Uint8Array): number {
  const size = plat.layout.protocolInfoSize;
  if (!sys.fromShare || size === undefined) return -plat.errnos.EOPNOTSUPP;
  if (info.length < size) return -plat.errnos.EINVAL;
  const copy = new Uint8Array(new ArrayBuffer(size));
  copy.set(info.subarray(0, size));
  const fd = sys.fromShare(copy);
  return fd < 0 ? -sys.lastError() : fd;
}

/** This process's id where the OS call table has it (Windows), else `process.pid`. */
export function processId(): number {
  return sys.processId ? sys.processId() : process.pid;
}

/** `lseek(2)`: the new offset, or -errno. */
export function lseek(fd: number, offset: number, whence: number): number {
  return ret(sys.lseek(fd, offset, whence));
}
