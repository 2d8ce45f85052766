/**
 * What the machine running the tests offers, detected rather than read from the OS name. A test that needs
 * something missing skips through {@link lacks}, which prints the reason once per reason, so a run shows why
 * its skips happened (the Windows run under Wine skips AF_UNIX, /proc and POSIX-signal tests this way).
 *
 * @module
 */
import { existsSync, fstatSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { plat } from "../../src/ffi/index.ts";
import * as socket from "../../src/index.ts";
import { NO_PEER_REASON, PEERS_AVAILABLE, python } from "./peer.ts";

const printed = new Set<string>();

/**
 * `true` (skip) when `available` is false, printing `skip: <reason>` the first time a reason is used.
 * @example
 * test.skipIf(lacks(HAS_AF_UNIX, NO_AF_UNIX))("binds a path", () => { ... });
 */
export function lacks(available: boolean, reason: string): boolean {
  if (!available && !printed.has(reason)) {
    printed.add(reason);
    console.log(`skip: ${reason}`);
  }
  return !available;
}

/**
 * A socket's `fileno()` is a file descriptor of this process (fstat works on it): POSIX. A Winsock SOCKET is
 * a handle instead (and under Wine, "/proc/self" is the Linux process's, not ours).
 */
export const SOCKETS_ARE_FDS: boolean = (() => {
  const s = socket.socket();
  try {
    fstatSync(s.fileno());
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
})();

/** /proc/self/fdinfo shows our sockets: a descriptor's flags can be read without the library (Linux). */
export const HAS_FDINFO: boolean =
  SOCKETS_ARE_FDS && existsSync("/proc/self/fdinfo");
export const NO_FDINFO = "no /proc/self/fdinfo to read descriptor flags from";

/** /proc/self/fd or /dev/fd lists our sockets among this process's descriptors (not on Windows). */
export const HAS_FD_LIST: boolean =
  SOCKETS_ARE_FDS && (existsSync("/proc/self/fd") || existsSync("/dev/fd"));
export const NO_FD_LIST =
  "sockets are not descriptors listed in /proc/self/fd or /dev/fd here";

/** AF_UNIX sockets can be created here (Windows 10 1803+ can; Wine cannot: WSAEAFNOSUPPORT). */
export const HAS_AF_UNIX: boolean = (() => {
  try {
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close();
    return true;
  } catch {
    return false;
  }
})();
export const NO_AF_UNIX = "AF_UNIX sockets cannot be created here";

/** POSIX signals (SIGUSR1, SIGPIPE...) can be sent to processes here. */
export const HAS_POSIX_SIGNALS: boolean =
  (constants.signals as Record<string, number | undefined>).SIGUSR1 !==
  undefined;
export const NO_POSIX_SIGNALS = "no POSIX signals (SIGUSR1, SIGPIPE) here";

/** SOCK_NONBLOCK / SOCK_CLOEXEC exist as socket type flags (Linux). */
export const HAS_SOCK_TYPE_FLAGS: boolean = plat.features.sockTypeFlags;
export const NO_SOCK_TYPE_FLAGS =
  "no SOCK_NONBLOCK/SOCK_CLOEXEC type flags on this OS";

/** sendmsg/recvmsg and ancillary data exist (not in Winsock's BSD API). */
export const HAS_SENDMSG: boolean = plat.features.sendmsg;
export const NO_SENDMSG = "no sendmsg/recvmsg on this OS";

export { NO_PEER_REASON, PEERS_AVAILABLE };

/**
 * The Python oracle runs on the OS the library runs on, so its numbers (errno values, constants, option
 * values, messages) can be compared with ours one to one. Under Wine the oracle is Linux's python3 while the
 * library is on Winsock: those comparisons skip, and OS-neutral checks (classes, names) still run.
 */
export const ORACLE_SAME_OS: boolean = (() => {
  if (!PEERS_AVAILABLE) return false;
  try {
    return (
      python<string>("import sys, json; print(json.dumps(sys.platform))") ===
      process.platform
    );
  } catch {
    return false;
  }
})();
export const NO_SAME_OS_ORACLE =
  "the Python oracle runs on another OS (Linux python3 under Wine): its numbers are not ours";

/** The descriptor is in non-blocking mode: from /proc where there is one, else as the platform layer reports. */
export function fdNonBlocking(fd: number): boolean {
  if (HAS_FDINFO) return (fdinfoFlags(fd) & 0o4000) !== 0;
  return plat.sys.getNonBlocking(fd) === 1;
}

/** The descriptor is close-on-exec (not inherited): from /proc where there is one, else as the platform layer reports. */
export function fdCloexec(fd: number): boolean {
  if (HAS_FDINFO) return (fdinfoFlags(fd) & 0o2000000) !== 0;
  return plat.sys.getCloexec(fd) === 1;
}

function fdinfoFlags(fd: number): number {
  const text = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
  const m = /^flags:\s+([0-7]+)$/m.exec(text);
  if (m === null || m[1] === undefined)
    throw new Error(`no flags in fdinfo: ${text}`);
  return parseInt(m[1], 8);
}

/**
 * This OS numbers errors as Linux does (EAGAIN 11, ECONNREFUSED 111): expectations written as Linux's
 * numbers and kernel error choices hold here.
 */
export const LINUX_ERRNOS: boolean =
  plat.errnos.EAGAIN === 11 && plat.errnos.ECONNREFUSED === 111;
export const NO_LINUX_ERRNOS =
  "expects the error Linux's kernel reports; this OS numbers or chooses errors differently";

/** The errno of an operation on a closed socket here (EBADF; Windows: WSAENOTSOCK, as CPython there). */
export const CLOSED_ERRNO: number = plat.errnos[plat.features.closedSocket];

/** Whether `fd` is open: an fd of this process (fstat), or a socket handle (Windows). */
export function isOpenFd(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    const box = new Int32Array(new ArrayBuffer(4));
    const len = new Uint32Array(new ArrayBuffer(4));
    len[0] = 4;
    return (
      plat.sys.getsockopt(fd, socket.SOL_SOCKET, socket.SO_TYPE, box, len) === 0
    );
  }
}

/** The OS gives a just-closed socket's number to the next socket (POSIX: lowest free descriptor). */
export const REUSES_FD_NUMBERS: boolean = (() => {
  const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const n = a.fileno();
  a.close();
  const b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const same = b.fileno() === n;
  b.close();
  return same;
})();
export const NO_FD_REUSE =
  "this OS does not give a closed socket's number to the next socket";

/** `getsockname()` works on an unbound socket (not in Winsock: WSAEINVAL). */
export const UNBOUND_GETSOCKNAME: boolean = (() => {
  const s = socket.socket();
  try {
    s.getsockname();
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
})();

/** The errno of "would block": EAGAIN (= EWOULDBLOCK) on POSIX, WSAEWOULDBLOCK on Windows. */
export const WOULDBLOCK: number = plat.errnos.EWOULDBLOCK;
/** `code` of a would-block error: "EAGAIN" where EAGAIN is EWOULDBLOCK (Node's name), else "EWOULDBLOCK". */
export const WOULDBLOCK_CODE: string =
  plat.errnos.EAGAIN === plat.errnos.EWOULDBLOCK ? "EAGAIN" : "EWOULDBLOCK";
/** The errno of a non-blocking connect under way: EINPROGRESS on POSIX, WSAEWOULDBLOCK on Windows (CPython's SOCK_INPROGRESS_ERR). */
export const INPROGRESS: number = plat.errnos[plat.features.connectInProgress];
export const INPROGRESS_CODE: string =
  plat.features.connectInProgress === "EWOULDBLOCK"
    ? WOULDBLOCK_CODE
    : "EINPROGRESS";

/**
 * A TCP reset (the peer closed with SO_LINGER 0) makes the next recv fail with ECONNRESET. Probed on
 * loopback with our own sockets; Wine 8.0 reports an orderly EOF instead.
 */
export const RESET_REPORTED: boolean = (() => {
  const l = socket.socket();
  const c = socket.socket();
  try {
    l.settimeout(2);
    c.settimeout(2);
    l.bind(["127.0.0.1", 0]);
    l.listen();
    c.connect(l.getsockname() as [string, number]);
    const [a] = l.accept();
    const size = plat.layout.linger.size;
    const linger = Buffer.from(
      (size === 4 ? new Uint16Array([1, 0]) : new Int32Array([1, 0])).buffer,
    );
    a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
    a.close();
    Bun.sleepSync(20);
    try {
      c.recv(10);
      return false;
    } catch (e) {
      return e instanceof socket.ConnectionResetError;
    }
  } catch {
    return false;
  } finally {
    c.close();
    l.close();
  }
})();
export const NO_RESET =
  "a TCP reset reads as EOF here, not ECONNRESET (Wine 8.0)";

/**
 * A recv smaller than a datagram truncates it (POSIX), rather than failing with EMSGSIZE while filling the
 * buffer (Winsock: CPython on Windows raises `[WinError 10040]` there).
 */
export const DATAGRAM_TRUNCATES: boolean = (() => {
  const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    a.settimeout(2);
    b.bind(["127.0.0.1", 0]);
    b.settimeout(2);
    a.sendto("0123456789", b.getsockname() as [string, number]);
    return b.recv(4).length === 4;
  } catch {
    return false;
  } finally {
    a.close();
    b.close();
  }
})();
export const NO_TRUNCATION =
  "a short recv of a datagram fails with EMSGSIZE here (Winsock), as in CPython there";
