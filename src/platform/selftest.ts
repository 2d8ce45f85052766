/**
 * Start-up self-test of the platform layer, run once when bun-socket is first imported, on every OS.
 *
 * The macOS and Windows bindings are built from published headers; a binding that is wrong somewhere (a
 * variadic `fcntl` that passes garbage on darwin-arm64, a sockaddr layout off by a byte, errno read from the
 * wrong place) would otherwise show up later as corrupted behaviour. Two checks catch those at import time:
 *
 * 1. Mode round trip on a throw-away socket: set non-blocking and read it back, clear it and read it back
 *    (`fcntl(F_SETFL/F_GETFL)`; `ioctlsocket(FIONBIO)` on Windows), and close-on-exec read back set.
 * 2. One UDP datagram to itself on loopback: the socket bound to 127.0.0.1 port 0 must report AF_INET and a
 *    port (`getsockname`); a non-blocking `recvfrom` on it while empty must fail with EAGAIN/EWOULDBLOCK (errno
 *    capture); the byte sent with `sendto` must arrive, and `recvfrom` must report the sender as the socket's
 *    own address (sockaddr packing both ways).
 *
 * One socket and about a dozen system calls: UDP rather than a TCP connection keeps this off the start-up
 * bill (bench E), and covers the same layouts. A failure throws an Error naming the platform. Where the
 * environment forbids sockets (EACCES, EPERM, no loopback...) the datagram part is skipped: that says
 * nothing about the binding.
 *
 * On Linux x86-64, the binding this project's CI runs its whole suite on, the import checks only what can
 * still differ on a user's machine: the Bun version, that is bun:ffi handing errno over intact (`close(-1)`
 * must leave EBADF). The whole self-test costs ~1.5–2 ms of first calls there (bench E) and would repeat what
 * the suite proves; `BUN_SOCKET_SELFTEST=1` runs it anyway.
 * @module
 */
import { plat } from "../ffi/index.ts";
import * as C from "./calls.ts";
import { errnoName } from "./errno.ts";
import { SockAddr } from "./sockaddr.ts";
import { waitFd, WAIT_READ } from "./wait.ts";

const K = plat.consts;
const E = plat.errnos;

/** Error codes that mean the binding passed something wrong (not that the environment said no). */
const BINDING_ERRORS = new Set(
  [E.EFAULT, E.EINVAL, E.EBADF, E.ENOTSOCK].filter(
    (v): v is number => v !== undefined,
  ),
);

class SelfTestError extends Error {}

function fail(what: string): never {
  throw new SelfTestError(
    `bun-socket: the ${plat.features.os}/${plat.arch} platform layer failed its start-up self-test: ${what}. ` +
      `This is a bug in bun-socket's ${plat.features.os} binding (src/ffi/${plat.features.os}.ts); please report it.`,
  );
}

/** `r` when it is >= 0; for -code, throws if the code points at the binding, else returns null (skip). */
function ok(r: number, call: string): number | null {
  if (r >= 0) return r;
  const code = -r;
  if (BINDING_ERRORS.has(code) || errnoName(code) === undefined)
    fail(`${call} failed with error ${code} (${errnoName(code) ?? "unknown"})`);
  return null;
}

function modeRoundTrip(fd: number): void {
  if (ok(C.setNonBlocking(fd, true), "setting non-blocking mode") === null)
    return;
  if (C.getNonBlocking(fd) !== 1)
    fail("non-blocking mode read back as off right after setting it");
  if (ok(C.setNonBlocking(fd, false), "clearing non-blocking mode") === null)
    return;
  if (C.getNonBlocking(fd) !== 0)
    fail("non-blocking mode read back as on right after clearing it");
  if (C.getCloexec(fd) !== 1)
    fail("a new socket is inheritable (close-on-exec not set)");
}

function loopback(): void {
  const sa = new SockAddr();
  const fd = ok(C.socket(K.AF_INET, K.SOCK_DGRAM, 0, false), "socket()");
  if (fd === null) return;
  try {
    modeRoundTrip(fd);
    if (ok(C.setNonBlocking(fd, true), "setting non-blocking mode") === null)
      return;
    sa.packIn4([127, 0, 0, 1], 0);
    if (ok(C.bind(fd, sa.bytes, sa.len), "bind(127.0.0.1:0)") === null) return;
    sa.prepareOut();
    if (ok(C.getsockname(fd, sa.bytes, sa.lenBox), "getsockname()") === null)
      return;
    sa.takeLen();
    const port = sa.port();
    if (sa.family() !== K.AF_INET || port === 0 || sa.in4()[0] !== 127)
      fail(
        `getsockname() of a socket bound to 127.0.0.1:0 read back family ${sa.family()}, port ${port}`,
      );
    const buf = new Uint8Array(new ArrayBuffer(1));
    sa.prepareOut();
    const r = C.recvfrom(fd, buf, 1, 0, sa.bytes, sa.lenBox);
    if (r !== -E.EAGAIN && r !== -E.EWOULDBLOCK)
      fail(
        `recvfrom() on an empty non-blocking socket returned ${r}, not -EAGAIN/-EWOULDBLOCK (errno capture)`,
      );
    buf[0] = 0x5a;
    sa.packIn4([127, 0, 0, 1], port);
    if (ok(C.sendto(fd, buf, 1, 0, sa.bytes, sa.len), "sendto()") === null)
      return;
    buf[0] = 0;
    if (waitFd(fd, WAIT_READ, Bun.nanoseconds() + 5e9) !== 1)
      fail("a datagram sent to the socket itself never arrived");
    sa.prepareOut();
    if (C.recvfrom(fd, buf, 1, 0, sa.bytes, sa.lenBox) !== 1 || buf[0] !== 0x5a)
      fail("the byte sent over loopback did not arrive intact");
    sa.takeLen();
    if (sa.family() !== K.AF_INET || sa.port() !== port || sa.in4()[3] !== 1)
      fail(
        `recvfrom() reported the sender as family ${sa.family()} port ${sa.port()}, the socket is port ${port}`,
      );
  } finally {
    C.close(fd);
  }
}

/** Runs the whole self-test; throws an Error naming the platform when the binding is wrong. */
export function selfTest(): void {
  loopback();
}

/** The errno hand-over alone: closing descriptor -1 must fail with the OS's closed-socket code (`close`/`closesocket`). */
export function errnoCheck(): void {
  const r = C.close(-1);
  const want = E[plat.features.closedSocket];
  if (r !== -want!)
    fail(
      `close(-1) returned ${r}, not -${plat.features.closedSocket} (${want}): errno is not handed over intact`,
    );
}

/** What the import ran: `"full"` ({@link selfTest}), or `"errno"` ({@link errnoCheck}) on Linux x86-64. */
export const importCheck: "full" | "errno" =
  plat.features.os === "linux" &&
  plat.arch === "x64" &&
  process.env.BUN_SOCKET_SELFTEST !== "1"
    ? "errno"
    : "full";

if (importCheck === "full") selfTest();
else errnoCheck();
