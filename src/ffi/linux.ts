/** glibc bindings for Linux (x86-64 and arm64): the dlopen table and the `Sys` built on it. */
import { dlopen, FFIType, toArrayBuffer, type Pointer } from "bun:ffi";
import { fcntlFlagOps } from "./fcntl.ts";
import { bindOnFirstCall } from "./lazy.ts";
import type { Features, Layout, Ptr, Sys } from "./types.ts";

// <fcntl.h> (asm-generic, same on x86-64 and arm64).
const F_DUPFD_CLOEXEC = 1030;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;

/** Opens glibc with the calls every socket program makes; `libc.so` is a linker script, so the versioned name is the one that loads. */
function openLibc() {
  return dlopen("libc.so.6", {
    __errno_location: { args: [], returns: "ptr" }, // int *(void)
    socket: { args: ["i32", "i32", "i32"], returns: "i32" }, // int; -1 + errno
    socketpair: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" }, // int; -1 + errno
    bind: { args: ["i32", "ptr", "u32"], returns: "i32" }, // int(int, const sockaddr*, socklen_t)
    listen: { args: ["i32", "i32"], returns: "i32" }, // int
    accept4: { args: ["i32", "ptr", "ptr", "i32"], returns: "i32" }, // int(int, sockaddr*, socklen_t*, int)
    connect: { args: ["i32", "ptr", "u32"], returns: "i32" }, // int(int, const sockaddr*, socklen_t)
    recv: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, void*, size_t, int)
    recvfrom: {
      args: ["i32", "ptr", "u64", "i32", "ptr", "ptr"],
      returns: FFIType.i64_fast,
    }, // ssize_t
    send: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, const void*, size_t, int)
    sendto: {
      args: ["i32", "ptr", "u64", "i32", "ptr", "u32"],
      returns: FFIType.i64_fast,
    }, // ssize_t
    shutdown: { args: ["i32", "i32"], returns: "i32" }, // int
    close: { args: ["i32"], returns: "i32" }, // int; never retried (EINTR leaves the fd closed on Linux)
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" }, // int(..., void*, socklen_t*)
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" }, // int(..., const void*, socklen_t)
    getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // int(int, sockaddr*, socklen_t*)
    getpeername: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // int(int, sockaddr*, socklen_t*)
    poll: { args: ["ptr", "u64", "i32"], returns: "i32" }, // int(struct pollfd*, nfds_t (unsigned long), int)
    fcntl: { args: ["i32", "i32", "i64"], returns: "i32" }, // int(int, int, ...): one integer vararg is ABI-safe on x86-64/arm64 Linux
    inet_pton: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // 1, 0 (bad text) or -1 + errno
    inet_ntop: { args: ["i32", "ptr", "ptr", "u32"], returns: "ptr" }, // const char*; NULL + errno
    strerror: { args: ["i32"], returns: "ptr" }, // char*
    sendmsg: { args: ["i32", "ptr", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, const struct msghdr*, int)
    recvmsg: { args: ["i32", "ptr", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, struct msghdr*, int)
  });
}

/** The rest of glibc's table (name service, interfaces, sendfile, epoll): opened on the first of these calls. */
function openLibcMore() {
  return dlopen("libc.so.6", {
    inet_aton: { args: ["ptr", "ptr"], returns: "i32" }, // int; 0 when malformed
    getaddrinfo: { args: ["ptr", "ptr", "ptr", "ptr"], returns: "i32" }, // int; 0 or EAI_*
    freeaddrinfo: { args: ["ptr"], returns: "void" }, // void(struct addrinfo*)
    gai_strerror: { args: ["i32"], returns: "ptr" }, // const char*
    getnameinfo: {
      args: ["ptr", "u32", "ptr", "u32", "ptr", "u32", "i32"],
      returns: "i32",
    }, // 0 or EAI_*
    gethostname: { args: ["ptr", "u64"], returns: "i32" }, // int(char*, size_t); -1 + errno
    gethostbyname_r: {
      args: ["ptr", "ptr", "ptr", "u64", "ptr", "ptr"],
      returns: "i32",
    }, // 0 or errno (ERANGE)
    gethostbyaddr_r: {
      args: ["ptr", "u32", "i32", "ptr", "ptr", "u64", "ptr", "ptr"],
      returns: "i32",
    }, // 0 or errno
    getservbyname_r: {
      args: ["ptr", "ptr", "ptr", "ptr", "u64", "ptr"],
      returns: "i32",
    }, // 0 or errno
    getservbyport_r: {
      args: ["i32", "ptr", "ptr", "ptr", "u64", "ptr"],
      returns: "i32",
    }, // 0 or errno
    getprotobyname_r: {
      args: ["ptr", "ptr", "ptr", "u64", "ptr"],
      returns: "i32",
    }, // 0 or errno
    hstrerror: { args: ["i32"], returns: "ptr" }, // const char*
    if_nameindex: { args: [], returns: "ptr" }, // struct if_nameindex*; NULL + errno
    if_freenameindex: { args: ["ptr"], returns: "void" }, // void
    if_nametoindex: { args: ["ptr"], returns: "u32" }, // unsigned; 0 + errno
    if_indextoname: { args: ["u32", "ptr"], returns: "ptr" }, // char*; NULL + errno
    sendfile: { args: ["i32", "i32", "ptr", "u64"], returns: FFIType.i64_fast }, // ssize_t(int out, int in, off_t*, size_t)
    lseek: { args: ["i32", "i64", "i32"], returns: FFIType.i64_fast }, // off_t(int, off_t, int); -1 + errno
    epoll_create1: { args: ["i32"], returns: "i32" }, // int(int flags); -1 + errno
    epoll_ctl: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" }, // int(int epfd, int op, int fd, struct epoll_event*); -1 + errno
    epoll_wait: { args: ["i32", "ptr", "i32", "i32"], returns: "i32" }, // int(int epfd, struct epoll_event*, int maxevents, int timeout_ms); -1 + errno
  });
}

/** Builds the Linux `Sys`. Called once by `src/ffi/index.ts`. */
export function linuxSys(): Sys {
  const C = openLibc().symbols;
  // The errno slot of this thread, viewed once (never dlsym("errno"): it is TLS data, oven-sh/bun#22212).
  const errnoView = new Int32Array(
    toArrayBuffer(C.__errno_location() as Pointer, 0, 4),
  );
  const base: Omit<Sys, (typeof LAZY)[number]> = {
    socket: C.socket,
    socketpair: C.socketpair as Sys["socketpair"],
    bind: C.bind as Sys["bind"],
    listen: C.listen,
    accept: C.accept4 as Sys["accept"],
    connect: C.connect as Sys["connect"],
    recv: C.recv as Sys["recv"],
    recvfrom: C.recvfrom as Sys["recvfrom"],
    send: C.send as Sys["send"],
    sendto: C.sendto as Sys["sendto"],
    shutdown: C.shutdown,
    getsockopt: C.getsockopt as Sys["getsockopt"],
    setsockopt: C.setsockopt as Sys["setsockopt"],
    getsockname: C.getsockname as Sys["getsockname"],
    getpeername: C.getpeername as Sys["getpeername"],
    poll: C.poll as Sys["poll"],
    inet_pton: C.inet_pton as Sys["inet_pton"],
    inet_ntop: C.inet_ntop as Sys["inet_ntop"],
    strerror: C.strerror as Sys["strerror"],
    sendmsg: C.sendmsg as Sys["sendmsg"],
    recvmsg: C.recvmsg as Sys["recvmsg"],
    closeSocket: C.close,
    ...fcntlFlagOps(C.fcntl, {
      F_DUPFD_CLOEXEC,
      F_GETFD,
      F_SETFD,
      F_GETFL,
      F_SETFL,
      FD_CLOEXEC,
      O_NONBLOCK,
    }),
    lastError: () => errnoView[0]!,
    setLastError: (code) => {
      errnoView[0] = code;
    },
  };
  // The second table's symbols are named as the Sys members they become (LAZY), with Sys's types.
  return bindOnFirstCall(
    base,
    LAZY,
    () => openLibcMore().symbols as unknown as Pick<Sys, (typeof LAZY)[number]>,
  );
}

// Every LAZY name is a symbol of openLibcMore's table (a type error otherwise).
type MoreSymbols = keyof ReturnType<typeof openLibcMore>["symbols"];
const lazyNamesAreSymbols: (typeof LAZY)[number] extends MoreSymbols
  ? true
  : never = true;
void lazyNamesAreSymbols;

/** The members `openLibcMore` supplies. */
const LAZY = [
  "inet_aton",
  "getaddrinfo",
  "freeaddrinfo",
  "gai_strerror",
  "getnameinfo",
  "gethostname",
  "gethostbyname_r",
  "gethostbyaddr_r",
  "getservbyname_r",
  "getservbyport_r",
  "getprotobyname_r",
  "hstrerror",
  "if_nameindex",
  "if_freenameindex",
  "if_nametoindex",
  "if_indextoname",
  "sendfile",
  "lseek",
  "epoll_create1",
  "epoll_ctl",
  "epoll_wait",
] as const;

/**
 * glibc struct layouts (LP64, x86-64 and arm64):
 * - sockaddr_in (16): u16 family@0, u16 port(BE)@2, u8[4] addr@4, zero@8
 * - sockaddr_in6 (28): u16 family@0, port@2, u32 flowinfo@4, u8[16] addr@8, u32 scope_id@24
 * - sockaddr_un (110): u16 family@0, char sun_path[108]@2
 * - pollfd (8): i32 fd@0, i16 events@4, i16 revents@6
 * - addrinfo (48): flags@0 family@4 socktype@8 protocol@12 u32 addrlen@16 ai_addr@24 ai_canonname@32 ai_next@40
 * - hostent (32): char *h_name@0, char **h_aliases@8, int h_addrtype@16, int h_length@20, char **h_addr_list@24
 * - servent (32): char *s_name@0, char **s_aliases@8, int s_port(BE)@16, char *s_proto@24
 * - protoent (24): char *p_name@0, char **p_aliases@8, int p_proto@16
 * - if_nameindex (16): unsigned if_index@0, char *if_name@8
 * - msghdr (56): void *msg_name@0, u32 msg_namelen@8, iovec *msg_iov@16, size_t msg_iovlen@24,
 *   void *msg_control@32, size_t msg_controllen@40, int msg_flags@48
 * - iovec (16): void *iov_base@0, size_t iov_len@8
 * - cmsghdr (16 + data): size_t cmsg_len@0, int cmsg_level@8, int cmsg_type@12, data@16; CMSG_ALIGN to 8
 * - linger (8): i32 l_onoff, i32 l_linger; timeval (16): i64 sec, i64 usec
 */
export const linuxLayout: Layout = {
  familyField: "u16",
  storageSize: 128,
  sinSize: 16,
  sin6Size: 28,
  sunPathOffset: 2,
  sunPathSize: 108,
  pollfd: { size: 8, fd: 0, fdSize: 4, events: 4, revents: 6 },
  addrinfo: {
    size: 48,
    flags: 0,
    family: 4,
    socktype: 8,
    protocol: 12,
    addrlen: 16,
    addrlenSize: 4,
    addr: 24,
    canonname: 32,
    next: 40,
  },
  hostent: {
    size: 32,
    name: 0,
    aliases: 8,
    addrtype: 16,
    length: 20,
    addrList: 24,
    shortFields: false,
  },
  servent: { size: 32, name: 0, aliases: 8, port: 16, proto: 24 },
  protoent: { size: 24, name: 0, aliases: 8, proto: 16 },
  ifNameindex: { size: 16, index: 0, name: 8 },
  msghdr: {
    size: 56,
    name: 0,
    namelen: 8,
    iov: 16,
    iovlen: 24,
    iovlenSize: 8,
    control: 32,
    controllen: 40,
    controllenSize: 8,
    flags: 48,
  },
  iovec: { size: 16, len: 8 },
  cmsghdr: { lenSize: 8, level: 8, type: 12, data: 16, align: 8 },
  linger: { size: 8 },
  timeval: { size: 16, usecSize: 8 },
};

/**
 * The Linux layout for one CPU architecture (`process.arch`, passed in by `src/ffi/index.ts`):
 * {@link linuxLayout} plus `struct epoll_event`, which glibc and the kernel declare
 * `__attribute__((packed))` on x86-64 only (`__EPOLL_PACKED` in <bits/epoll.h>):
 * - x86-64 (12): u32 events@0, u64 data@4
 * - arm64 and the rest (16): u32 events@0, 4 bytes padding, u64 data@8
 */
export function linuxLayoutFor(arch: string): Layout {
  const packed = arch === "x64";
  return {
    ...linuxLayout,
    epollEvent: packed
      ? { size: 12, events: 0, data: 4 }
      : { size: 16, events: 0, data: 8 },
  };
}

/** What Linux offers. */
export const linuxFeatures: Features = {
  os: "linux",
  sockTypeFlags: true,
  msgNoSignal: true,
  soNoSigpipe: false,
  abstractUnix: true,
  soDomain: true,
  epoll: true,
  kqueue: false,
  connectInProgress: "EINPROGRESS",
  closedSocket: "EBADF",
  winerror: false,
  socketpair: true,
  sendmsg: true,
  sockoptTimeoutMs: false,
  soReuseAddrSteals: false,
};

/** Unused import guard for `Ptr` in declaration-only builds. */
export type { Ptr };

/** This OS's constant tables, handed over with its binding (`src/ffi/index.ts` loads one module per OS). */
export {
  errnoConstants,
  selectConstants,
  socketConstants,
} from "./constants/linux.ts";
