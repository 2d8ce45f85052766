/**
 * libSystem bindings for macOS (x86-64 and arm64): the dlopen table and the `Sys` built on it, with the
 * same shape as `linux.ts`. Built from Apple's published headers (xnu, Libinfo) and not run in CI here:
 * the start-up self-test (`src/platform/selftest.ts`) checks it on first import.
 *
 * What differs from Linux, and where:
 * - errno lives at `__error()`.
 * - No SOCK_NONBLOCK/SOCK_CLOEXEC/accept4/MSG_NOSIGNAL support relied on: `features` makes the platform
 *   layer set FD_CLOEXEC and O_NONBLOCK with `fcntl` and SO_NOSIGPIPE with `setsockopt` on each new socket.
 * - `fcntl` is variadic. On arm64 (Apple's ABI puts every variadic argument on the stack) it is bound with
 *   six padding arguments so that the real third argument lands in the first stack slot; on x86-64 a
 *   three-argument binding is ABI-correct (research/bun-ffi.md §3d).
 * - `sendfile` has the BSD signature (`sendfile(fd, s, offset, &len, hdtr, flags)`); `sys.sendfile` adapts
 *   it to Linux's contract (bytes sent, offset box advanced).
 * - The netdb `*_r` calls do not exist: `gethostbyname` & co. are called and their struct copied into
 *   `ret` (CPython does the same on macOS, under a lock).
 * - `kqueue`/`kevent` instead of epoll.
 * @module
 */
import { dlopen, FFIType, ptr, toArrayBuffer, type Pointer } from "bun:ffi";
import { socketConstants } from "./constants/darwin.ts";
import { fcntlFlagOps } from "./fcntl.ts";
import type { Features, Layout, Loose, Ptr, Sys } from "./types.ts";

const K = socketConstants;

/** The C library: libSystem, which every macOS process has mapped (from the dyld shared cache). */
const LIBS = ["/usr/lib/libSystem.B.dylib", "libSystem.B.dylib", "libc.dylib"];

function openLibSystem(lib: string) {
  return dlopen(lib, {
    __error: { args: [], returns: "ptr" }, // int *(void)
    socket: { args: ["i32", "i32", "i32"], returns: "i32" }, // int; -1 + errno
    socketpair: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" }, // int; -1 + errno
    bind: { args: ["i32", "ptr", "u32"], returns: "i32" }, // int(int, const sockaddr*, socklen_t)
    listen: { args: ["i32", "i32"], returns: "i32" }, // int
    accept: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // int(int, sockaddr*, socklen_t*)
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
    close: { args: ["i32"], returns: "i32" }, // int; never retried
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" }, // int(..., void*, socklen_t*)
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" }, // int(..., const void*, socklen_t)
    getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // int(int, sockaddr*, socklen_t*)
    getpeername: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // int(int, sockaddr*, socklen_t*)
    poll: { args: ["ptr", "u32", "i32"], returns: "i32" }, // int(struct pollfd*, nfds_t (unsigned int), int)
    inet_pton: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // 1, 0, or -1 + errno
    inet_ntop: { args: ["i32", "ptr", "ptr", "u32"], returns: "ptr" }, // const char*; NULL + errno
    inet_aton: { args: ["ptr", "ptr"], returns: "i32" }, // int; 0 when malformed
    getaddrinfo: { args: ["ptr", "ptr", "ptr", "ptr"], returns: "i32" }, // 0 or EAI_*
    freeaddrinfo: { args: ["ptr"], returns: "void" }, // void(struct addrinfo*)
    gai_strerror: { args: ["i32"], returns: "ptr" }, // const char*
    strerror: { args: ["i32"], returns: "ptr" }, // char*
    getnameinfo: {
      args: ["ptr", "u32", "ptr", "u32", "ptr", "u32", "i32"],
      returns: "i32",
    }, // 0 or EAI_*
    gethostname: { args: ["ptr", "u64"], returns: "i32" }, // int(char*, size_t)
    gethostbyname: { args: ["ptr"], returns: "ptr" }, // struct hostent*; NULL + h_errno
    gethostbyaddr: { args: ["ptr", "u32", "i32"], returns: "ptr" }, // struct hostent*(const void*, socklen_t, int)
    getservbyname: { args: ["ptr", "ptr"], returns: "ptr" }, // struct servent*
    getservbyport: { args: ["i32", "ptr"], returns: "ptr" }, // struct servent*(int port (network order), const char*)
    getprotobyname: { args: ["ptr"], returns: "ptr" }, // struct protoent*
    hstrerror: { args: ["i32"], returns: "ptr" }, // const char*
    if_nameindex: { args: [], returns: "ptr" }, // struct if_nameindex*; NULL + errno
    if_freenameindex: { args: ["ptr"], returns: "void" }, // void
    if_nametoindex: { args: ["ptr"], returns: "u32" }, // unsigned; 0 when unknown
    if_indextoname: { args: ["u32", "ptr"], returns: "ptr" }, // char*; NULL + errno
    sendmsg: { args: ["i32", "ptr", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, const struct msghdr*, int)
    recvmsg: { args: ["i32", "ptr", "i32"], returns: FFIType.i64_fast }, // ssize_t(int, struct msghdr*, int)
    sendfile: {
      args: ["i32", "i32", "i64", "ptr", "ptr", "i32"],
      returns: "i32",
    }, // int(int fd, int s, off_t offset, off_t *len, struct sf_hdtr*, int flags); -1 + errno, *len = bytes sent
    lseek: { args: ["i32", "i64", "i32"], returns: FFIType.i64_fast }, // off_t(int, off_t, int); -1 + errno
    kqueue: { args: [], returns: "i32" }, // int(void); -1 + errno
    kevent: {
      args: ["i32", "ptr", "i32", "ptr", "i32", "ptr"],
      returns: "i32",
    }, // int(int kq, const struct kevent*, int, struct kevent*, int, const struct timespec*); -1 + errno
  });
}

/**
 * `fcntl(fd, cmd, arg)` with one integer vararg, bound the way the architecture's variadic ABI needs.
 * arm64 (Apple): variadic arguments go on the stack, so eight register arguments (fd, cmd, six zeros) are
 * declared first and `arg` is the ninth, the first stack slot. x86-64: registers either way.
 */
function openFcntl(
  lib: string,
  arch: string,
): (fd: number, cmd: number, arg: number) => number {
  if (arch === "arm64") {
    const f = dlopen(lib, {
      fcntl: {
        args: ["i32", "i32", "i64", "i64", "i64", "i64", "i64", "i64", "i64"],
        returns: "i32",
      }, // int fcntl(int, int, ...): the padding fills x2..x7, the real argument goes to [sp]
    }).symbols.fcntl;
    return (fd, cmd, arg) => f(fd, cmd, 0, 0, 0, 0, 0, 0, arg);
  }
  return dlopen(lib, {
    fcntl: { args: ["i32", "i32", "i64"], returns: "i32" }, // int fcntl(int, int, ...)
  }).symbols.fcntl;
}

/** Builds the macOS `Sys` for `arch` (`process.arch`, passed in by `src/ffi/index.ts`). */
export function darwinSys(arch: string): Sys {
  let lib = "";
  type LibSystem = Loose<ReturnType<typeof openLibSystem>["symbols"]>;
  let C: LibSystem | null = null;
  let firstError: unknown;
  for (const candidate of LIBS) {
    try {
      C = openLibSystem(candidate).symbols as unknown as LibSystem;
      lib = candidate;
      break;
    } catch (e) {
      firstError ??= e;
    }
  }
  if (C === null)
    throw new Error(
      `bun-socket: cannot open libSystem (${String(firstError)})`,
    );
  const S = C;
  const fcntl = openFcntl(lib, arch);
  const errnoView = new Int32Array(toArrayBuffer(S.__error() as Pointer, 0, 4));
  const lenBox = new BigInt64Array(new ArrayBuffer(8));
  // The netdb emulations: copy the library's static struct into `ret`, point `*result` at it.
  const netdb = (
    p: unknown,
    ret: Ptr,
    size: number,
    result: Ptr,
    herr: Ptr,
    herrno = 0,
  ): number => {
    const res = result as BigUint64Array;
    if (!p) {
      if (herr) (herr as Int32Array)[0] = herrno;
      res[0] = 0n;
      return 0;
    }
    const dst = ret as Uint8Array;
    dst.set(new Uint8Array(toArrayBuffer(p as Pointer, 0, size)));
    res[0] = BigInt(ptr(dst));
    return 0;
  };
  // netdb.h's HOST_NOT_FOUND: what a failed gethostbyname* reports (h_errno is not reachable via FFI).
  const HOST_NOT_FOUND = 1;

  const sys: Sys = {
    socket: S.socket,
    socketpair: S.socketpair as Sys["socketpair"],
    bind: S.bind as Sys["bind"],
    listen: S.listen,
    accept: (fd, addr, len) => S.accept(fd, addr, len),
    connect: S.connect as Sys["connect"],
    recv: S.recv as Sys["recv"],
    recvfrom: S.recvfrom as Sys["recvfrom"],
    send: S.send as Sys["send"],
    sendto: S.sendto as Sys["sendto"],
    shutdown: S.shutdown,
    getsockopt: S.getsockopt as Sys["getsockopt"],
    setsockopt: S.setsockopt as Sys["setsockopt"],
    getsockname: S.getsockname as Sys["getsockname"],
    getpeername: S.getpeername as Sys["getpeername"],
    poll: S.poll as Sys["poll"],
    inet_pton: S.inet_pton as Sys["inet_pton"],
    inet_ntop: S.inet_ntop as Sys["inet_ntop"],
    inet_aton: S.inet_aton as Sys["inet_aton"],
    getaddrinfo: S.getaddrinfo as Sys["getaddrinfo"],
    freeaddrinfo: S.freeaddrinfo as unknown as Sys["freeaddrinfo"],
    gai_strerror: S.gai_strerror as Sys["gai_strerror"],
    strerror: S.strerror as Sys["strerror"],
    getnameinfo: S.getnameinfo as Sys["getnameinfo"],
    gethostname: S.gethostname as Sys["gethostname"],
    gethostbyname_r: (name, ret, _b, _n, result, herr) =>
      netdb(S.gethostbyname(name), ret, 32, result, herr, HOST_NOT_FOUND),
    gethostbyaddr_r: (addr, len, type, ret, _b, _n, result, herr) =>
      netdb(
        S.gethostbyaddr(addr, len, type),
        ret,
        32,
        result,
        herr,
        HOST_NOT_FOUND,
      ),
    getservbyname_r: (name, proto, ret, _b, _n, result) =>
      netdb(S.getservbyname(name, proto), ret, 32, result, null),
    getservbyport_r: (port, proto, ret, _b, _n, result) =>
      netdb(S.getservbyport(port, proto), ret, 32, result, null),
    getprotobyname_r: (name, ret, _b, _n, result) =>
      netdb(S.getprotobyname(name), ret, 24, result, null),
    hstrerror: S.hstrerror as Sys["hstrerror"],
    if_nameindex: S.if_nameindex as Sys["if_nameindex"],
    if_freenameindex: S.if_freenameindex as unknown as Sys["if_freenameindex"],
    if_nametoindex: S.if_nametoindex as Sys["if_nametoindex"],
    if_indextoname: S.if_indextoname as Sys["if_indextoname"],
    sendmsg: S.sendmsg as Sys["sendmsg"],
    recvmsg: S.recvmsg as Sys["recvmsg"],
    sendfile(outFd, inFd, offset, count) {
      const box = offset as BigInt64Array;
      lenBox[0] = BigInt(count);
      const r = S.sendfile(inFd, outFd, Number(box[0]), lenBox, null, 0);
      const sent = Number(lenBox[0]);
      // BSD: after EAGAIN/EINTR `*len` holds what went before the interruption; report that first.
      if (r < 0 && sent === 0) return -1;
      box[0] = box[0]! + BigInt(sent);
      return sent;
    },
    lseek: S.lseek as Sys["lseek"],
    kqueue: S.kqueue,
    kevent: S.kevent as Sys["kevent"],
    closeSocket: S.close,
    ...fcntlFlagOps(fcntl, K),
    lastError: () => errnoView[0]!,
    setLastError: (code) => {
      errnoView[0] = code;
    },
  };
  return sys;
}

/**
 * macOS struct layouts (LP64, x86-64 and arm64 alike; xnu bsd/sys/socket.h, bsd/netinet/in.h, bsd/sys/un.h,
 * bsd/sys/event.h, Libinfo netdb.h):
 * - sockaddr_in (16): u8 sin_len@0, u8 sin_family@1, u16 port(BE)@2, u8[4] addr@4, zero@8
 * - sockaddr_in6 (28): u8 sin6_len@0, u8 sin6_family@1, port@2, u32 flowinfo@4, u8[16] addr@8, u32 scope_id@24
 * - sockaddr_un (106): u8 sun_len@0, u8 sun_family@1, char sun_path[104]@2
 * - pollfd (8): i32 fd@0, i16 events@4, i16 revents@6; nfds_t is unsigned int
 * - addrinfo (48): flags@0 family@4 socktype@8 protocol@12 u32 addrlen@16 ai_canonname@24 ai_addr@32 ai_next@40
 * - hostent (32): char *h_name@0, char **h_aliases@8, int h_addrtype@16, int h_length@20, char **h_addr_list@24
 * - servent (32): char *s_name@0, char **s_aliases@8, int s_port(BE)@16, char *s_proto@24
 * - protoent (24): char *p_name@0, char **p_aliases@8, int p_proto@16
 * - if_nameindex (16): unsigned if_index@0, char *if_name@8
 * - msghdr (48): void *msg_name@0, u32 msg_namelen@8, iovec *msg_iov@16, int msg_iovlen@24, void *msg_control@32,
 *   u32 msg_controllen@40, int msg_flags@44
 * - iovec (16): void *iov_base@0, size_t iov_len@8
 * - cmsghdr (12 + data): u32 cmsg_len@0, int cmsg_level@4, int cmsg_type@8, data@12; CMSG_ALIGN to 4 (__DARWIN_ALIGN32)
 * - linger (8): int l_onoff, int l_linger; timeval (16): i64 tv_sec@0, i32 tv_usec@8 (suseconds_t), 4 bytes padding
 * - kevent (32): uintptr_t ident@0, i16 filter@8, u16 flags@10, u32 fflags@12, intptr_t data@16, void *udata@24
 */
export const darwinLayout: Layout = {
  familyField: "len8",
  storageSize: 128,
  sinSize: 16,
  sin6Size: 28,
  sunPathOffset: 2,
  sunPathSize: 104,
  pollfd: { size: 8, fd: 0, fdSize: 4, events: 4, revents: 6 },
  addrinfo: {
    size: 48,
    flags: 0,
    family: 4,
    socktype: 8,
    protocol: 12,
    addrlen: 16,
    addrlenSize: 4,
    canonname: 24,
    addr: 32,
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
    size: 48,
    name: 0,
    namelen: 8,
    iov: 16,
    iovlen: 24,
    iovlenSize: 4,
    control: 32,
    controllen: 40,
    controllenSize: 4,
    flags: 44,
  },
  iovec: { size: 16, len: 8 },
  cmsghdr: { lenSize: 4, level: 4, type: 8, data: 12, align: 4 },
  linger: { size: 8 },
  timeval: { size: 16, usecSize: 4 },
  kevent: {
    size: 32,
    ident: 0,
    filter: 8,
    flags: 10,
    fflags: 12,
    data: 16,
    udata: 24,
  },
};

/** What macOS offers. */
export const darwinFeatures: Features = {
  os: "darwin",
  sockTypeFlags: false,
  msgNoSignal: false,
  soNoSigpipe: true,
  abstractUnix: false,
  soDomain: false,
  epoll: false,
  kqueue: true,
  connectInProgress: "EINPROGRESS",
  closedSocket: "EBADF",
  winerror: false,
  socketpair: true,
  sendmsg: true,
  sockoptTimeoutMs: false,
  soReuseAddrSteals: false,
};

/** This OS's constant tables, handed over with its binding (`src/ffi/index.ts` loads one module per OS). */
export {
  errnoConstants,
  selectConstants,
  socketConstants,
} from "./constants/darwin.ts";
