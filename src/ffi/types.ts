/** The shapes every OS binding in `src/ffi/` fills in: the `Sys` call table, struct layouts and feature flags. */

/** A C pointer argument: a TypedArray or DataView passed straight to the call, or `null` for NULL. */
export type Ptr = NodeJS.TypedArray | DataView | null;

/**
 * The OS calls bun-socket makes, one member per C function, with C's argument order.
 * Every member returns what the C function returns (`-1` and an error code in `lastError()` on failure),
 * except the named helpers at the end, which exist because the OSes differ there.
 * Tests replace members of `plat.sys` to inject faults; nothing else writes to it.
 */
export interface Sys {
  /** `int socket(int domain, int type, int protocol)`; -1 + errno. */
  socket(domain: number, type: number, protocol: number): number;
  /** `int socketpair(int domain, int type, int protocol, int sv[2])`; -1 + errno. */
  socketpair(domain: number, type: number, protocol: number, sv: Ptr): number;
  /** `int bind(int fd, const struct sockaddr *addr, socklen_t len)`; -1 + errno. */
  bind(fd: number, addr: Ptr, len: number): number;
  /** `int listen(int fd, int backlog)`; -1 + errno. */
  listen(fd: number, backlog: number): number;
  /** `int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)` where the OS has it, else `accept` then flags by fcntl; -1 + errno. */
  accept(fd: number, addr: Ptr, len: Ptr, flags: number): number;
  /** `int connect(int fd, const struct sockaddr *addr, socklen_t len)`; -1 + errno. */
  connect(fd: number, addr: Ptr, len: number): number;
  /** `ssize_t recv(int fd, void *buf, size_t n, int flags)`; -1 + errno. */
  recv(fd: number, buf: Ptr, n: number, flags: number): number;
  /** `ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len)`; -1 + errno. */
  recvfrom(
    fd: number,
    buf: Ptr,
    n: number,
    flags: number,
    addr: Ptr,
    len: Ptr,
  ): number;
  /** `ssize_t send(int fd, const void *buf, size_t n, int flags)`; -1 + errno. */
  send(fd: number, buf: Ptr, n: number, flags: number): number;
  /** `ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len)`; -1 + errno. */
  sendto(
    fd: number,
    buf: Ptr,
    n: number,
    flags: number,
    addr: Ptr,
    len: number,
  ): number;
  /** `int shutdown(int fd, int how)`; -1 + errno. */
  shutdown(fd: number, how: number): number;
  /** `int getsockopt(int fd, int level, int name, void *val, socklen_t *len)`; -1 + errno. */
  getsockopt(
    fd: number,
    level: number,
    name: number,
    val: Ptr,
    len: Ptr,
  ): number;
  /** `int setsockopt(int fd, int level, int name, const void *val, socklen_t len)`; -1 + errno. */
  setsockopt(
    fd: number,
    level: number,
    name: number,
    val: Ptr,
    len: number,
  ): number;
  /** `int getsockname(int fd, struct sockaddr *addr, socklen_t *len)`; -1 + errno. */
  getsockname(fd: number, addr: Ptr, len: Ptr): number;
  /** `int getpeername(int fd, struct sockaddr *addr, socklen_t *len)`; -1 + errno. */
  getpeername(fd: number, addr: Ptr, len: Ptr): number;
  /** `int poll(struct pollfd *fds, nfds_t n, int timeout_ms)`; -1 + errno. */
  poll(fds: Ptr, n: number, timeoutMs: number): number;
  /** `int inet_pton(int af, const char *src, void *dst)`; 1 ok, 0 malformed, -1 + errno. */
  inet_pton(af: number, src: Ptr, dst: Ptr): number;
  /** `const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)`; NULL + errno. */
  inet_ntop(af: number, src: Ptr, dst: Ptr, size: number): number | null;
  /** `int inet_aton(const char *cp, struct in_addr *inp)`; 0 when malformed. */
  inet_aton(src: Ptr, dst: Ptr): number;
  /** `int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)`; 0 or EAI_*. */
  getaddrinfo(node: Ptr, service: Ptr, hints: Ptr, res: Ptr): number;
  /** `void freeaddrinfo(struct addrinfo *res)`, given the pointer as a number. */
  freeaddrinfo(res: number): void;
  /** `const char *gai_strerror(int code)`. */
  gai_strerror(code: number): number | null;
  /** `char *strerror(int errnum)`. */
  strerror(code: number): number | null;
  /** `int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv, socklen_t servlen, int flags)`; 0 or EAI_*. */
  getnameinfo(
    sa: Ptr,
    salen: number,
    host: Ptr,
    hostlen: number,
    serv: Ptr,
    servlen: number,
    flags: number,
  ): number;
  /** `int gethostname(char *name, size_t len)`; -1 + errno. */
  gethostname(name: Ptr, len: number): number;
  /** `int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop)`; 0 or an errno (ERANGE: grow buf). */
  gethostbyname_r(
    name: Ptr,
    ret: Ptr,
    buf: Ptr,
    buflen: number,
    result: Ptr,
    herr: Ptr,
  ): number;
  /** `int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret, char *buf, size_t buflen, struct hostent **result, int *h_errnop)`. */
  gethostbyaddr_r(
    addr: Ptr,
    len: number,
    type: number,
    ret: Ptr,
    buf: Ptr,
    buflen: number,
    result: Ptr,
    herr: Ptr,
  ): number;
  /** `int getservbyname_r(const char *name, const char *proto, struct servent *ret, char *buf, size_t buflen, struct servent **result)`. */
  getservbyname_r(
    name: Ptr,
    proto: Ptr,
    ret: Ptr,
    buf: Ptr,
    buflen: number,
    result: Ptr,
  ): number;
  /** `int getservbyport_r(int port /* network order *\/, const char *proto, struct servent *ret, char *buf, size_t buflen, struct servent **result)`. */
  getservbyport_r(
    port: number,
    proto: Ptr,
    ret: Ptr,
    buf: Ptr,
    buflen: number,
    result: Ptr,
  ): number;
  /** `int getprotobyname_r(const char *name, struct protoent *ret, char *buf, size_t buflen, struct protoent **result)`. */
  getprotobyname_r(
    name: Ptr,
    ret: Ptr,
    buf: Ptr,
    buflen: number,
    result: Ptr,
  ): number;
  /** `const char *hstrerror(int err)`. */
  hstrerror(code: number): number | null;
  /** `struct if_nameindex *if_nameindex(void)`; NULL + errno. */
  if_nameindex(): number | null;
  /** `void if_freenameindex(struct if_nameindex *ptr)`, given the pointer as a number. */
  if_freenameindex(p: number): void;
  /** `unsigned if_nametoindex(const char *name)`; 0 + errno when unknown. */
  if_nametoindex(name: Ptr): number;
  /** `char *if_indextoname(unsigned index, char *buf /* IF_NAMESIZE *\/)`; NULL + errno. */
  if_indextoname(index: number, buf: Ptr): number | null;

  /** `int epoll_create1(int flags)`; -1 + errno. Linux only (absent where the OS has no epoll). */
  epoll_create1?(flags: number): number;
  /** `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`; -1 + errno. Linux only. */
  epoll_ctl?(epfd: number, op: number, fd: number, event: Ptr): number;
  /** `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms)`; -1 + errno. Linux only. */
  epoll_wait?(
    epfd: number,
    events: Ptr,
    maxevents: number,
    timeoutMs: number,
  ): number;

  /** `ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)`; -1 + errno. */
  sendmsg(fd: number, msg: Ptr, flags: number): number;
  /** `ssize_t recvmsg(int fd, struct msghdr *msg, int flags)`; -1 + errno. */
  recvmsg(fd: number, msg: Ptr, flags: number): number;
  /**
   * Copies a file to a socket in the kernel: Linux `ssize_t sendfile(int out, int in, off_t *offset, size_t n)`
   * (`offset` is an in/out int64 box); absent where the OS has no such call. -1 + errno.
   */
  sendfile?(outFd: number, inFd: number, offset: Ptr, count: number): number;
  /** `off_t lseek(int fd, off_t offset, int whence)`; -1 + errno. */
  lseek(fd: number, offset: number, whence: number): number;

  /** `close(2)` on POSIX, `closesocket` on Windows; -1 + error. Never retried on EINTR. */
  closeSocket(fd: number): number;
  /** A new descriptor for the same socket, close-on-exec (`fcntl(F_DUPFD_CLOEXEC)` / `WSADuplicateSocket`); -1 + error. */
  dupSocket(fd: number): number;
  /** Sets or clears non-blocking mode (`fcntl(F_SETFL)` / `ioctlsocket(FIONBIO)`); 0 or -1 + error. */
  setNonBlocking(fd: number, on: boolean): number;
  /** Reads the non-blocking flag: 1, 0, or -1 + error. */
  getNonBlocking(fd: number): number;
  /** Reads close-on-exec: 1 when the descriptor is NOT inherited, 0 when it is, -1 + error. */
  getCloexec(fd: number): number;
  /** Sets close-on-exec (`fcntl(F_SETFD)`); 0 or -1 + error. */
  setCloexec(fd: number, on: boolean): number;
  /** The error code of the last failed call on this thread (errno, or `WSAGetLastError()`). Read it first, before any other call. */
  lastError(): number;
  /** Overwrites the thread's error code (tests and fault injection). */
  setLastError(code: number): void;

  /**
   * Family, type and protocol of a socket in one call, where `getsockname` cannot tell an unbound socket's
   * family (Windows: `getsockopt(SO_PROTOCOL_INFOW)`, as CPython's `socket(fileno=...)`); absent elsewhere.
   * Fills `out` with `[family, type, protocol]`; 0 or -1 + error.
   */
  socketInfo?(fd: number, out: Int32Array): number;
  /**
   * Windows `int WSADuplicateSocketW(SOCKET s, DWORD pid, LPWSAPROTOCOL_INFOW info)`: describes the socket for
   * process `pid` (`socket.share()`); `info` is `layout.protocolInfoSize` bytes. Absent on POSIX. 0 or -1 + error.
   */
  shareSocket?(fd: number, pid: number, info: Ptr): number;
  /**
   * Windows `WSASocketW(FROM_PROTOCOL_INFO, ..., info, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT)`: the
   * socket a `share()` blob describes (`socket.fromshare()`). Absent on POSIX. A socket or -1 + error.
   */
  fromShare?(info: Ptr): number;
  /** The id of this process (`GetCurrentProcessId`), for `share()`'s default. Absent on POSIX. */
  processId?(): number;
  /** BSD `int kqueue(void)`; -1 + errno. Absent where the OS has no kqueue. */
  kqueue?(): number;
  /**
   * BSD `int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
   * const struct timespec *timeout)`; -1 + errno. Absent where the OS has no kqueue.
   */
  kevent?(
    kq: number,
    changes: Ptr,
    nchanges: number,
    events: Ptr,
    nevents: number,
    timeout: Ptr,
  ): number;
}

/** Where each field of the C structs lives, per OS. Offsets and sizes in bytes. */
export interface Layout {
  /** How `sa_family` is stored: `"u16"` (Linux, Windows) or `"len8"` (BSD: `u8 sa_len` then `u8 sa_family`). */
  readonly familyField: "u16" | "len8";
  /** `sizeof(struct sockaddr_storage)`. */
  readonly storageSize: number;
  /** `sizeof(struct sockaddr_in)`. */
  readonly sinSize: number;
  /** `sizeof(struct sockaddr_in6)`. */
  readonly sin6Size: number;
  /** Offset of `sun_path` in `struct sockaddr_un`. */
  readonly sunPathOffset: number;
  /** `sizeof(sun_path)`. */
  readonly sunPathSize: number;
  /** `struct pollfd`: size and field offsets (`fd` is 4 bytes on POSIX, 8 on Windows). */
  readonly pollfd: {
    readonly size: number;
    readonly fd: number;
    readonly fdSize: 4 | 8;
    readonly events: number;
    readonly revents: number;
  };
  /** `struct addrinfo` field offsets (the order of `ai_addr` and `ai_canonname` differs per OS). */
  readonly addrinfo: {
    readonly size: number;
    readonly flags: number;
    readonly family: number;
    readonly socktype: number;
    readonly protocol: number;
    readonly addrlen: number;
    readonly addrlenSize: 4 | 8;
    readonly canonname: number;
    readonly addr: number;
    readonly next: number;
  };
  /** `struct hostent`: `h_name`, `h_aliases`, `h_addrtype`, `h_length`, `h_addr_list` offsets; `shortFields` on Windows. */
  readonly hostent: {
    readonly size: number;
    readonly name: number;
    readonly aliases: number;
    readonly addrtype: number;
    readonly length: number;
    readonly addrList: number;
    readonly shortFields: boolean;
  };
  /** `struct servent`: `s_name`, `s_aliases`, `s_port` (int, or short on Windows), `s_proto` offsets. */
  readonly servent: {
    readonly size: number;
    readonly name: number;
    readonly aliases: number;
    readonly port: number;
    readonly proto: number;
  };
  /** `struct protoent`: `p_name`, `p_aliases`, `p_proto` (int, or short on Windows) offsets. */
  readonly protoent: {
    readonly size: number;
    readonly name: number;
    readonly aliases: number;
    readonly proto: number;
  };
  /** `struct if_nameindex` array element: `if_index` (unsigned) and `if_name` (char*) offsets. */
  readonly ifNameindex: {
    readonly size: number;
    readonly index: number;
    readonly name: number;
  };
  /** `struct msghdr`: field offsets and the sizes of `msg_iovlen`/`msg_controllen` (size_t on Linux, 4 on BSD). */
  readonly msghdr: {
    readonly size: number;
    readonly name: number;
    readonly namelen: number;
    readonly iov: number;
    readonly iovlen: number;
    readonly iovlenSize: 4 | 8;
    readonly control: number;
    readonly controllen: number;
    readonly controllenSize: 4 | 8;
    readonly flags: number;
  };
  /** `struct iovec`: `iov_base`@0, `iov_len` (size_t)@8. */
  readonly iovec: { readonly size: number; readonly len: number };
  /** `struct cmsghdr`: `cmsg_len` size, level/type offsets, where data starts, and CMSG_ALIGN's alignment. */
  readonly cmsghdr: {
    readonly lenSize: 4 | 8;
    readonly level: number;
    readonly type: number;
    readonly data: number;
    readonly align: number;
  };
  /** `struct linger`: two ints (Windows: two u16). */
  readonly linger: { readonly size: number };
  /** `struct timeval` size as used by SO_RCVTIMEO/SO_SNDTIMEO. */
  readonly timeval: { readonly size: number; readonly usecSize: 4 | 8 };
  /**
   * `struct epoll_event`: `u32 events` and the `u64 data` union (we store the fd in its low 32 bits).
   * Packed on x86-64 (data@4, size 12), naturally aligned elsewhere (data@8, size 16). Absent without epoll.
   */
  readonly epollEvent?: {
    readonly size: number;
    readonly events: number;
    readonly data: number;
  };
  /**
   * BSD `struct kevent` (LP64): `uintptr_t ident`, `int16_t filter`, `uint16_t flags`, `uint32_t fflags`,
   * `intptr_t data`, `void *udata`. Absent without kqueue.
   */
  readonly kevent?: {
    readonly size: number;
    readonly ident: number;
    readonly filter: number;
    readonly flags: number;
    readonly fflags: number;
    readonly data: number;
    readonly udata: number;
  };
  /** Winsock `fd_set`: `u_int fd_count`, then `SOCKET fd_array[]` from `array` (8 bytes each). Absent on POSIX. */
  readonly fdSet?: { readonly count: number; readonly array: number };
  /** `sizeof(WSAPROTOCOL_INFOW)`, the bytes of a `socket.share()` blob. Absent on POSIX. */
  readonly protocolInfoSize?: number;
}

/** What the OS offers; the API branches on these, never on the OS name. */
export interface Features {
  /** Name of the OS family, for messages and docs only. */
  readonly os: "linux" | "darwin" | "win32";
  /** `SOCK_NONBLOCK | SOCK_CLOEXEC` accepted in `socket()`'s type and `accept4()`'s flags. */
  readonly sockTypeFlags: boolean;
  /** `MSG_NOSIGNAL` on sends (else `SO_NOSIGPIPE` per socket, or nothing on Windows). */
  readonly msgNoSignal: boolean;
  /** `SO_NOSIGPIPE` must be set on each socket. */
  readonly soNoSigpipe: boolean;
  /** AF_UNIX abstract namespace (leading NUL byte). */
  readonly abstractUnix: boolean;
  /** `SO_DOMAIN`/`SO_PROTOCOL` readable, so `socket(fileno=…)` can detect family and protocol. */
  readonly soDomain: boolean;
  /** `epoll_create1`/`epoll_ctl`/`epoll_wait` exist (`sys.epoll_*` and `layout.epollEvent` are set). */
  readonly epoll: boolean;
  /** `kqueue`/`kevent` exist (`sys.kqueue`, `sys.kevent` and `layout.kevent` are set). */
  readonly kqueue: boolean;
  /**
   * The errno name a non-blocking `connect()` reports while the connection is under way (CPython's
   * `SOCK_INPROGRESS_ERR`): `EINPROGRESS` on POSIX, `EWOULDBLOCK` (WSAEWOULDBLOCK) in Winsock.
   */
  readonly connectInProgress: "EINPROGRESS" | "EWOULDBLOCK";
  /**
   * The errno name of an operation on a closed socket, as CPython reports it: `EBADF` on POSIX; `ENOTSOCK`
   * (WSAENOTSOCK) on Windows, where CPython hands INVALID_SOCKET to Winsock.
   */
  readonly closedSocket: "EBADF" | "ENOTSOCK";
  /** OS error codes are Windows error codes: `OSError` carries `winerror` and reads `[WinError N] ...`. */
  readonly winerror: boolean;
  /** The OS has `socketpair()`; without it `socket.socketpair()` is CPython's loopback-TCP emulation. */
  readonly socketpair: boolean;
  /** `sendmsg`/`recvmsg` and ancillary data exist (Winsock's BSD-style API has neither). */
  readonly sendmsg: boolean;
  /** SO_RCVTIMEO/SO_SNDTIMEO take a DWORD of milliseconds (Winsock) instead of a `struct timeval`. */
  readonly sockoptTimeoutMs: boolean;
  /**
   * SO_REUSEADDR lets another socket bind a port that is in use (Winsock), so `create_server` leaves it unset,
   * as CPython does on Windows.
   */
  readonly soReuseAddrSteals: boolean;
}

type LooseRet<T> = [T] extends [void]
  ? void
  : null extends T
    ? number | null
    : number;
/**
 * A `dlopen` symbol table retyped for the `Sys` builders: arguments are numbers or {@link Ptr}s, integer
 * returns are `number`, pointer returns `number | null`. (bun:ffi types every argument as one union that
 * leaves out DataView, and 64-bit returns as `number | bigint`; the tables here use `i64_fast` only for values
 * that fit in a double: sizes and SOCKET handles.)
 */
export type Loose<S> = {
  [K in keyof S]: S[K] extends (...a: never[]) => infer R
    ? (...a: (number | Ptr)[]) => LooseRet<R>
    : never;
};
