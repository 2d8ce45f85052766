/**
 * Winsock bindings for Windows (x64, and arm64 where Bun has bun:ffi): the ws2_32.dll, kernel32.dll and
 * msvcrt.dll tables and the `Sys` built on them, with the same shape as `linux.ts`.
 *
 * What differs from POSIX, and how each `Sys` member covers it:
 * - `SOCKET` is a 64-bit handle, declared `i64_fast` (a plain number; INVALID_SOCKET is -1).
 * - Errors come from `WSAGetLastError()`, read right after the failing call (`lastError`).
 * - Non-blocking mode is `ioctlsocket(FIONBIO)`; Winsock cannot read it back, so `getNonBlocking` reports
 *   what `setNonBlocking` last set (CPython keeps the mode in its own `sock_timeout` for the same reason).
 * - "Close-on-exec" is the handle's HANDLE_FLAG_INHERIT (`Get/SetHandleInformation`), and new sockets are
 *   created with WSA_FLAG_NO_HANDLE_INHERIT, as CPython does.
 * - `poll` is emulated with `select()` (CPython uses select on Windows; WSAPoll does not report a failed
 *   non-blocking connect: the failure shows up in select's except set).
 * - The netdb `*_r` calls are the thread-local non-`_r` Winsock calls, their struct copied into `ret`.
 * - `strerror` is FormatMessageW for Winsock codes (>= 10000) with our own text where the system has none
 *   (Wine lacks most), and the C runtime's `strerror` for errno values.
 * - No `socketpair`, `sendmsg`/`recvmsg`, `sendfile` or `lseek` on sockets: those members fail with
 *   WSAEOPNOTSUPP / ENOSYS, and `features` tells the API to use CPython's Windows fallbacks instead.
 * @module
 */
import {
  dlopen,
  FFIType,
  ptr,
  read,
  toArrayBuffer,
  type Pointer,
} from "bun:ffi";
import { errnoConstants, socketConstants } from "./constants/win32.ts";
import type { Features, Layout, Loose, Ptr, Sys } from "./types.ts";

const K = socketConstants;
const E = errnoConstants;
// winbase.h / winnt.h
const HANDLE_FLAG_INHERIT = 0x00000001;
const FORMAT_MESSAGE_FROM_SYSTEM = 0x00001000;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x00000200;
const INT_MAX = 0x7fffffff;
/** sizeof(WSADATA) on 64-bit Windows. */
const WSADATA_SIZE = 408;
/** sizeof(WSAPROTOCOL_INFOW): 5 DWORDs, GUID, DWORD, WSAPROTOCOLCHAIN (32), 9 ints, 2 DWORDs, WCHAR[256]. */
const WSAPROTOCOL_INFOW_SIZE = 628;
/** Offsets in WSAPROTOCOL_INFOW of iAddressFamily, iSocketType and iProtocol. */
const PI_FAMILY = 76;
const PI_TYPE = 88;
const PI_PROTOCOL = 92;
/** sizeof(MIB_IF_ROW2) and its InterfaceIndex offset (netioapi.h); MIB_IF_TABLE2's rows start at 8. */
const MIB_IF_ROW2_SIZE = 1352;
const MIB_IF_ROW2_INDEX = 8;

/** Opens ws2_32.dll. Every SOCKET argument is `i64` (a number); every length a 32-bit `int`. */
function openWinsock() {
  return dlopen("ws2_32.dll", {
    WSAStartup: { args: ["u16", "ptr"], returns: "i32" }, // int(WORD, LPWSADATA); 0 or the error
    WSAGetLastError: { args: [], returns: "i32" }, // int(void)
    WSASetLastError: { args: ["i32"], returns: "void" }, // void(int)
    WSASocketW: {
      args: ["i32", "i32", "i32", "ptr", "u32", "u32"],
      returns: FFIType.i64_fast,
    }, // SOCKET(int af, int type, int proto, LPWSAPROTOCOL_INFOW, GROUP, DWORD flags); INVALID_SOCKET
    WSADuplicateSocketW: { args: ["i64", "u32", "ptr"], returns: "i32" }, // int(SOCKET, DWORD pid, LPWSAPROTOCOL_INFOW); SOCKET_ERROR
    bind: { args: ["i64", "ptr", "i32"], returns: "i32" }, // int(SOCKET, const sockaddr*, int); SOCKET_ERROR (-1)
    listen: { args: ["i64", "i32"], returns: "i32" }, // int(SOCKET, int)
    accept: { args: ["i64", "ptr", "ptr"], returns: FFIType.i64_fast }, // SOCKET(SOCKET, sockaddr*, int*); INVALID_SOCKET
    connect: { args: ["i64", "ptr", "i32"], returns: "i32" }, // int(SOCKET, const sockaddr*, int)
    recv: { args: ["i64", "ptr", "i32", "i32"], returns: "i32" }, // int(SOCKET, char*, int, int)
    recvfrom: {
      args: ["i64", "ptr", "i32", "i32", "ptr", "ptr"],
      returns: "i32",
    }, // int(SOCKET, char*, int, int, sockaddr*, int*)
    send: { args: ["i64", "ptr", "i32", "i32"], returns: "i32" }, // int(SOCKET, const char*, int, int)
    sendto: {
      args: ["i64", "ptr", "i32", "i32", "ptr", "i32"],
      returns: "i32",
    }, // int(SOCKET, const char*, int, int, const sockaddr*, int)
    shutdown: { args: ["i64", "i32"], returns: "i32" }, // int(SOCKET, int how)
    closesocket: { args: ["i64"], returns: "i32" }, // int(SOCKET)
    getsockopt: { args: ["i64", "i32", "i32", "ptr", "ptr"], returns: "i32" }, // int(SOCKET, int, int, char*, int*)
    setsockopt: { args: ["i64", "i32", "i32", "ptr", "i32"], returns: "i32" }, // int(SOCKET, int, int, const char*, int)
    getsockname: { args: ["i64", "ptr", "ptr"], returns: "i32" }, // int(SOCKET, sockaddr*, int*)
    getpeername: { args: ["i64", "ptr", "ptr"], returns: "i32" }, // int(SOCKET, sockaddr*, int*)
    ioctlsocket: { args: ["i64", "i32", "ptr"], returns: "i32" }, // int(SOCKET, long cmd, u_long*): long is 32-bit
    select: { args: ["i32", "ptr", "ptr", "ptr", "ptr"], returns: "i32" }, // int(int ignored, fd_set*, fd_set*, fd_set*, const timeval*)
    inet_pton: { args: ["i32", "ptr", "ptr"], returns: "i32" }, // INT(INT, PCSTR, PVOID); 1, 0, -1
    inet_ntop: { args: ["i32", "ptr", "ptr", "u64"], returns: "ptr" }, // PCSTR(INT, const VOID*, PSTR, size_t); NULL
    inet_addr: { args: ["ptr"], returns: "u32" }, // unsigned long(const char*); INADDR_NONE when malformed
    getaddrinfo: { args: ["ptr", "ptr", "ptr", "ptr"], returns: "i32" }, // INT; 0 or a WSA code
    freeaddrinfo: { args: ["ptr"], returns: "void" }, // VOID(PADDRINFOA)
    getnameinfo: {
      args: ["ptr", "i32", "ptr", "u32", "ptr", "u32", "i32"],
      returns: "i32",
    }, // INT(const SOCKADDR*, socklen_t, PCHAR, DWORD, PCHAR, DWORD, INT); 0 or a WSA code
    gethostname: { args: ["ptr", "i32"], returns: "i32" }, // int(char*, int); SOCKET_ERROR
    gethostbyname: { args: ["ptr"], returns: "ptr" }, // hostent*(const char*); NULL + WSAGetLastError
    gethostbyaddr: { args: ["ptr", "i32", "i32"], returns: "ptr" }, // hostent*(const char*, int len, int type)
    getservbyname: { args: ["ptr", "ptr"], returns: "ptr" }, // servent*(const char*, const char*)
    getservbyport: { args: ["i32", "ptr"], returns: "ptr" }, // servent*(int port (network order), const char*)
    getprotobyname: { args: ["ptr"], returns: "ptr" }, // protoent*(const char*)
  });
}

/** kernel32.dll: handle inheritance, the process id, and system message texts. */
function openKernel32() {
  return dlopen("kernel32.dll", {
    GetHandleInformation: { args: ["u64", "ptr"], returns: "i32" }, // BOOL(HANDLE, LPDWORD); 0 + GetLastError
    SetHandleInformation: { args: ["u64", "u32", "u32"], returns: "i32" }, // BOOL(HANDLE, DWORD mask, DWORD flags)
    GetCurrentProcessId: { args: [], returns: "u32" }, // DWORD(void)
    FormatMessageW: {
      args: ["u32", "ptr", "u32", "u32", "ptr", "u32", "ptr"],
      returns: "u32",
    }, // DWORD(flags, source, id, lang, LPWSTR buf, DWORD size, va_list*); chars written or 0
  });
}

/** msvcrt.dll: the C runtime's `strerror` for errno values (EINVAL, ENOSYS...). */
function openCrt() {
  return dlopen("msvcrt.dll", {
    strerror: { args: ["i32"], returns: "ptr" }, // char*(int)
  });
}

/** iphlpapi.dll, opened on first use (interface names and indexes). */
function openIphlpapi() {
  return dlopen("iphlpapi.dll", {
    if_nametoindex: { args: ["ptr"], returns: "u32" }, // NET_IFINDEX(PCSTR); 0 when unknown
    if_indextoname: { args: ["u32", "ptr"], returns: "ptr" }, // PCHAR(NET_IFINDEX, PCHAR buf[IF_NAMESIZE]); NULL
    GetIfTable2Ex: { args: ["i32", "ptr"], returns: "u32" }, // NETIO_STATUS(MIB_IF_TABLE_LEVEL, PMIB_IF_TABLE2*)
    FreeMibTable: { args: ["ptr"], returns: "void" }, // VOID(PVOID)
    ConvertInterfaceLuidToNameA: {
      args: ["ptr", "ptr", "u64"],
      returns: "u32",
    }, // NETIO_STATUS(const NET_LUID*, PSTR, SIZE_T)
  });
}

/**
 * Text of Winsock error codes for which the system has none (Wine 8.0 lacks most): the wording of Windows'
 * own message table ("Windows Sockets Error Codes", learn.microsoft.com), without the final period.
 */
export const winsockMessages: Readonly<Record<number, string>> = {
  10004:
    "A blocking operation was interrupted by a call to WSACancelBlockingCall",
  10009: "The file handle supplied is not valid",
  10013:
    "An attempt was made to access a socket in a way forbidden by its access permissions",
  10014:
    "The system detected an invalid pointer address in attempting to use a pointer argument in a call",
  10022: "An invalid argument was supplied",
  10024: "Too many open sockets",
  10035: "A non-blocking socket operation could not be completed immediately",
  10036: "A blocking operation is currently executing",
  10037:
    "An operation was attempted on a non-blocking socket that already had an operation in progress",
  10038: "An operation was attempted on something that is not a socket",
  10039: "A required address was omitted from an operation on a socket",
  10040:
    "A message sent on a datagram socket was larger than the internal message buffer or some other network limit, or the buffer used to receive a datagram into was smaller than the datagram itself",
  10041:
    "A protocol was specified in the socket function call that does not support the semantics of the socket type requested",
  10042:
    "An unknown, invalid, or unsupported option or level was specified in a getsockopt or setsockopt call",
  10043:
    "The requested protocol has not been configured into the system, or no implementation for it exists",
  10044:
    "The support for the specified socket type does not exist in this address family",
  10045:
    "The attempted operation is not supported for the type of object referenced",
  10046:
    "The protocol family has not been configured into the system or no implementation for it exists",
  10047: "An address incompatible with the requested protocol was used",
  10048:
    "Only one usage of each socket address (protocol/network address/port) is normally permitted",
  10049: "The requested address is not valid in its context",
  10050: "A socket operation encountered a dead network",
  10051: "A socket operation was attempted to an unreachable network",
  10052:
    "The connection has been broken due to keep-alive activity detecting a failure while the operation was in progress",
  10053:
    "An established connection was aborted by the software in your host machine",
  10054: "An existing connection was forcibly closed by the remote host",
  10055:
    "An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full",
  10056: "A connect request was made on an already connected socket",
  10057:
    "A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied",
  10058:
    "A request to send or receive data was disallowed because the socket had already been shut down in that direction with a previous shutdown call",
  10059: "Too many references to some kernel object",
  10060:
    "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond",
  10061:
    "No connection could be made because the target machine actively refused it",
  10062: "Cannot translate name",
  10063: "Name component or name was too long",
  10064: "A socket operation failed because the destination host was down",
  10065: "A socket operation was attempted to an unreachable host",
  10066: "Cannot remove a directory that is not empty",
  10067:
    "A Windows Sockets implementation may have a limit on the number of applications that may use it simultaneously",
  10068: "Ran out of quota",
  10069: "Ran out of disk quota",
  10070: "File handle reference is no longer available",
  10071: "Item is not available locally",
  10091:
    "WSAStartup cannot function at this time because the underlying system it uses to provide network services is currently unavailable",
  10092: "The Windows Sockets version requested is not supported",
  10093:
    "Either the application has not called WSAStartup, or WSAStartup failed",
  10101:
    "Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated a graceful shutdown sequence",
  10109: "The specified class was not found",
  11001: "No such host is known",
  11002:
    "This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server",
  11003: "A non-recoverable error occurred during a database lookup",
  11004:
    "The requested name is valid, but no data of the requested type was found",
};

/** A NUL-terminated UTF-8 copy of `s` in memory that does not move. */
function cString(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s + "\0");
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

/** Builds the Windows `Sys`: loads Winsock and calls `WSAStartup(2.2)` once. Called by `src/ffi/index.ts`. */
export function win32Sys(): Sys {
  const W = openWinsock().symbols as unknown as Loose<
    ReturnType<typeof openWinsock>["symbols"]
  >;
  const k32 = openKernel32().symbols as unknown as Loose<
    ReturnType<typeof openKernel32>["symbols"]
  >;
  const wsaData = new Uint8Array(new ArrayBuffer(WSADATA_SIZE));
  const started = W.WSAStartup(0x0202, wsaData);
  if (started !== 0)
    throw new Error(
      `bun-socket: WSAStartup(2.2) failed with error ${started}; Winsock is not usable`,
    );
  type Crt = Loose<ReturnType<typeof openCrt>["symbols"]>;
  type Iphlpapi = Loose<ReturnType<typeof openIphlpapi>["symbols"]>;
  let crt: Crt | null = null;
  let iphlp: Iphlpapi | null = null;
  const iph = () => (iphlp ??= openIphlpapi().symbols as unknown as Iphlpapi);

  const box = new Uint32Array(new ArrayBuffer(4));
  const intLen = new Int32Array(new ArrayBuffer(4));
  const info = new Uint8Array(new ArrayBuffer(WSAPROTOCOL_INFOW_SIZE));
  const infoView = new DataView(info.buffer);
  // FIONBIO cannot be read back: the mode each socket was last set to (absent = blocking, Winsock's default).
  const nonBlocking = new Set<number>();
  let noInherit: number = K.WSA_FLAG_NO_HANDLE_INHERIT;
  const newSocket = (
    af: number,
    type: number,
    proto: number,
    pi: Ptr,
  ): number => {
    let s = W.WSASocketW(
      af,
      type,
      proto,
      pi,
      0,
      K.WSA_FLAG_OVERLAPPED | noInherit,
    );
    // CPython: Windows before 7 SP1 rejects WSA_FLAG_NO_HANDLE_INHERIT with WSAEINVAL; retry without it.
    if (s === -1 && noInherit !== 0 && W.WSAGetLastError() === E.WSAEINVAL) {
      noInherit = 0;
      s = W.WSASocketW(af, type, proto, pi, 0, K.WSA_FLAG_OVERLAPPED);
    }
    return s;
  };

  // select()'s three fd_sets, grown on demand, and its timeval (two 32-bit longs).
  let cap = 0;
  let sets: [Uint8Array, Uint8Array, Uint8Array] = [
    new Uint8Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
  ];
  let views: [DataView, DataView, DataView] = sets.map(
    (b) => new DataView(b.buffer),
  ) as [DataView, DataView, DataView];
  const tv = new Int32Array(new ArrayBuffer(8));
  const grow = (n: number) => {
    if (n <= cap) return;
    cap = Math.max(n, cap * 2, 64);
    sets = [0, 1, 2].map(
      () => new Uint8Array(new ArrayBuffer(8 + 8 * cap)),
    ) as typeof sets;
    views = sets.map((b) => new DataView(b.buffer)) as typeof views;
  };
  const READ = K.POLLRDNORM | K.POLLRDBAND;
  const WRITE = K.POLLWRNORM | K.POLLWRBAND;

  /** `poll()` over `select()`: the WSAPOLLFD array in, `revents` out, POSIX poll's contract. */
  const poll = (fds: Ptr, n: number, timeoutMs: number): number => {
    if (fds === null) return 0;
    const pv = new DataView(fds.buffer, fds.byteOffset, fds.byteLength);
    grow(n);
    const [rv, wv, ev] = views;
    let nr = 0;
    let nw = 0;
    let ne = 0;
    const add = (v: DataView, count: number, fd: number): number => {
      for (let j = 0; j < count; j++)
        if (Number(v.getBigInt64(8 + 8 * j, true)) === fd) return count;
      v.setBigInt64(8 + 8 * count, BigInt(fd), true);
      return count + 1;
    };
    const P = win32Layout.pollfd; // WSAPOLLFD: SOCKET fd@0, events@8, revents@10, 16 bytes
    for (let i = 0; i < n; i++) {
      const o = i * P.size;
      const fd = Number(pv.getBigInt64(o + P.fd, true));
      const want = pv.getInt16(o + P.events, true);
      pv.setInt16(o + P.revents, 0, true);
      if (fd < 0) continue; // POSIX poll skips negative descriptors
      if (want & READ) nr = add(rv, nr, fd);
      if (want & WRITE) nw = add(wv, nw, fd);
      // A failed non-blocking connect is reported in the except set only (not as writable).
      if (want & (K.POLLPRI | K.POLLERR | WRITE)) ne = add(ev, ne, fd);
    }
    if (nr + nw + ne === 0) {
      // Winsock's select() rejects three empty sets (WSAEINVAL); CPython sleeps instead.
      if (timeoutMs > 0) Bun.sleepSync(timeoutMs);
      else if (timeoutMs < 0) for (;;) Bun.sleepSync(INT_MAX);
      return 0;
    }
    rv.setUint32(0, nr, true);
    wv.setUint32(0, nw, true);
    ev.setUint32(0, ne, true);
    let tvp: Int32Array | null = null;
    if (timeoutMs >= 0) {
      tv[0] = Math.floor(timeoutMs / 1000);
      tv[1] = (timeoutMs % 1000) * 1000;
      tvp = tv;
    }
    const r = W.select(
      0,
      nr ? sets[0] : null,
      nw ? sets[1] : null,
      ne ? sets[2] : null,
      tvp,
    );
    if (r < 0) {
      const err = W.WSAGetLastError();
      if (err !== E.WSAENOTSOCK) return -1;
      // POSIX poll flags a bad descriptor with POLLNVAL instead of failing the whole call.
      let bad = 0;
      for (let i = 0; i < n; i++) {
        const fd = Number(pv.getBigInt64(i * P.size + P.fd, true));
        intLen[0] = 4;
        if (
          fd >= 0 &&
          W.getsockopt(fd, K.SOL_SOCKET, K.SO_TYPE, box, intLen) < 0
        ) {
          pv.setInt16(i * P.size + P.revents, K.POLLNVAL, true);
          bad++;
        }
      }
      if (bad) return bad;
      W.WSASetLastError(err);
      return -1;
    }
    if (r === 0) return 0;
    const ready = (v: DataView): Set<number> => {
      const out = new Set<number>();
      const c = v.getUint32(0, true);
      for (let j = 0; j < c; j++)
        out.add(Number(v.getBigInt64(8 + 8 * j, true)));
      return out;
    };
    const R = nr ? ready(rv) : null;
    const Wr = nw ? ready(wv) : null;
    const X = ne ? ready(ev) : null;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const o = i * P.size;
      const fd = Number(pv.getBigInt64(o + P.fd, true));
      const want = pv.getInt16(o + P.events, true);
      let got = 0;
      if (R?.has(fd)) got |= want & READ || K.POLLRDNORM;
      if (Wr?.has(fd)) got |= want & WRITE || K.POLLWRNORM;
      if (X?.has(fd)) {
        got |= want & K.POLLPRI;
        if (want & (K.POLLERR | WRITE)) got |= K.POLLERR;
      }
      if (got) {
        pv.setInt16(o + P.revents, got, true);
        count++;
      }
    }
    return count;
  };

  // strerror: one persistent output buffer; its address is read at once by the caller (CString).
  const textOut = new Uint8Array(new ArrayBuffer(4096));
  const wide = new Uint16Array(new ArrayBuffer(4096));
  const utf16 = new TextDecoder("utf-16le");
  const utf8 = new TextEncoder();
  const putText = (s: string): number => {
    const r = utf8.encodeInto(s, textOut.subarray(0, textOut.length - 1));
    textOut[r.written] = 0;
    return ptr(textOut);
  };
  const formatMessage = (code: number): string | null => {
    const n = k32.FormatMessageW(
      FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      null,
      code,
      0,
      wide,
      wide.length,
      null,
    );
    if (n === 0) return null;
    // CPython strips the trailing CR/LF, spaces and dots of FormatMessage text.
    return utf16.decode(wide.subarray(0, n)).replace(/[\s.]+$/, "");
  };
  const GAI_TEXT = cString("getaddrinfo failed");
  const HERR_TEXT = cString("host not found");

  // The netdb emulations keep the if_nameindex arrays alive until if_freenameindex.
  const nameIndexes = new Map<number, Uint8Array[]>();
  const copyStruct = (src: number, ret: Ptr, size: number, result: Ptr) => {
    const dst = ret as Uint8Array;
    dst.set(new Uint8Array(toArrayBuffer(src as Pointer, 0, size)));
    (result as BigUint64Array)[0] = BigInt(ptr(dst));
  };
  const netdbResult = (
    p: number | null,
    ret: Ptr,
    size: number,
    result: Ptr,
    herr: Ptr,
    fix?: (dst: Uint8Array) => void,
  ): number => {
    if (!p) {
      const e = W.WSAGetLastError();
      if (herr) (herr as Int32Array)[0] = e;
      (result as BigUint64Array)[0] = 0n;
      return 0;
    }
    copyStruct(p, ret, size, result);
    fix?.(ret as Uint8Array);
    return 0;
  };

  const sys: Sys = {
    socket: (af, type, proto) => newSocket(af, type, proto, null),
    socketpair: () => {
      W.WSASetLastError(E.WSAEOPNOTSUPP);
      return -1;
    },
    bind: W.bind,
    listen: W.listen,
    accept: (fd, addr, len) => W.accept(fd, addr, len),
    connect: W.connect,
    recv: (fd, buf, n, flags) =>
      W.recv(fd, buf, n > INT_MAX ? INT_MAX : n, flags),
    recvfrom: (fd, buf, n, flags, addr, len) =>
      W.recvfrom(fd, buf, n > INT_MAX ? INT_MAX : n, flags, addr, len),
    send: (fd, buf, n, flags) =>
      W.send(fd, buf, n > INT_MAX ? INT_MAX : n, flags),
    sendto: (fd, buf, n, flags, addr, len) =>
      W.sendto(fd, buf, n > INT_MAX ? INT_MAX : n, flags, addr, len),
    shutdown: W.shutdown,
    getsockopt: W.getsockopt,
    setsockopt: W.setsockopt,
    getsockname: W.getsockname,
    getpeername: W.getpeername,
    poll,
    inet_pton: W.inet_pton,
    inet_ntop: W.inet_ntop as Sys["inet_ntop"],
    inet_aton(src, dst) {
      // No inet_aton in Winsock: CPython uses inet_addr, special-casing the one address equal to INADDR_NONE.
      const text = new TextDecoder().decode(
        (src as Uint8Array).subarray(0, (src as Uint8Array).indexOf(0)),
      );
      const v = text === "255.255.255.255" ? 0xffffffff : W.inet_addr(src);
      if (v === K.INADDR_NONE && text !== "255.255.255.255") return 0;
      new DataView(
        (dst as Uint8Array).buffer,
        (dst as Uint8Array).byteOffset,
      ).setUint32(0, v >>> 0, true); // inet_addr's result is already in network byte order in memory
      return 1;
    },
    getaddrinfo: W.getaddrinfo,
    freeaddrinfo: W.freeaddrinfo as unknown as Sys["freeaddrinfo"],
    gai_strerror: () => ptr(GAI_TEXT), // CPython on Windows: no gai_strerror, "getaddrinfo failed"
    strerror(code) {
      if (code >= 10000)
        return putText(
          formatMessage(code) ??
            winsockMessages[code] ??
            `Windows Error 0x${code.toString(16)}`,
        );
      crt ??= openCrt().symbols as unknown as Crt;
      return crt.strerror(code) as number | null;
    },
    getnameinfo: W.getnameinfo,
    gethostname: (name, len) => W.gethostname(name, Math.min(len, INT_MAX)),
    gethostbyname_r: (name, ret, _buf, _len, result, herr) =>
      netdbResult(
        W.gethostbyname(name) as number | null,
        ret,
        32,
        result,
        herr,
      ),
    gethostbyaddr_r: (addr, len, type, ret, _buf, _len, result, herr) =>
      netdbResult(
        W.gethostbyaddr(addr, len, type) as number | null,
        ret,
        32,
        result,
        herr,
      ),
    getservbyname_r: (name, proto, ret, _buf, _len, result) =>
      netdbResult(
        W.getservbyname(name, proto) as number | null,
        ret,
        32,
        result,
        null,
      ),
    getservbyport_r: (port, proto, ret, _buf, _len, result) =>
      netdbResult(
        W.getservbyport(port, proto) as number | null,
        ret,
        32,
        result,
        null,
      ),
    getprotobyname_r: (name, ret, _buf, _len, result) =>
      netdbResult(
        W.getprotobyname(name) as number | null,
        ret,
        24,
        result,
        null,
        // p_proto is a short here: clear the padding after it so an int read sees the short's value.
        (dst) => dst.fill(0, 18, 24),
      ),
    hstrerror: () => ptr(HERR_TEXT), // CPython on Windows: no hstrerror, "host not found"
    if_nameindex() {
      const I = iph();
      const box64 = new BigUint64Array(new ArrayBuffer(8));
      const st = I.GetIfTable2Ex(0 /* MibIfTableNormal */, box64);
      if (st !== 0) {
        W.WSASetLastError(st);
        return null;
      }
      const table = Number(box64[0]) as Pointer;
      try {
        const n = read.u32(table, 0);
        const arr = new Uint8Array(new ArrayBuffer(16 * (n + 1)));
        const av = new DataView(arr.buffer);
        const keep: Uint8Array[] = [arr];
        const nameBuf = new Uint8Array(new ArrayBuffer(257));
        let k = 0;
        for (let i = 0; i < n; i++) {
          const row = (table as number) + 8 + i * MIB_IF_ROW2_SIZE;
          nameBuf.fill(0);
          const luid = new Uint8Array(
            toArrayBuffer(row as Pointer, 0, 8),
          ).slice();
          if (
            I.ConvertInterfaceLuidToNameA(luid, nameBuf, nameBuf.length) !== 0
          )
            continue;
          const name = nameBuf.slice(0, nameBuf.indexOf(0) + 1);
          keep.push(name);
          av.setUint32(
            16 * k,
            read.u32(row as Pointer, MIB_IF_ROW2_INDEX),
            true,
          );
          av.setBigUint64(16 * k + 8, BigInt(ptr(name)), true);
          k++;
        }
        const head = ptr(arr);
        nameIndexes.set(head, keep);
        return head;
      } finally {
        I.FreeMibTable(table);
      }
    },
    if_freenameindex: (p) => void nameIndexes.delete(p),
    if_nametoindex: (name) => iph().if_nametoindex(name),
    if_indextoname: (index, buf) =>
      iph().if_indextoname(index, buf) as number | null,
    sendmsg: () => {
      W.WSASetLastError(E.WSAEOPNOTSUPP);
      return -1;
    },
    recvmsg: () => {
      W.WSASetLastError(E.WSAEOPNOTSUPP);
      return -1;
    },
    lseek: () => {
      // Bun's file descriptors on Windows are not the C runtime's: nothing to seek here.
      W.WSASetLastError(E.ENOSYS);
      return -1;
    },
    closeSocket(fd) {
      nonBlocking.delete(fd);
      return W.closesocket(fd);
    },
    dupSocket(fd) {
      if (W.WSADuplicateSocketW(fd, k32.GetCurrentProcessId(), info) !== 0)
        return -1;
      return newSocket(
        K.FROM_PROTOCOL_INFO,
        K.FROM_PROTOCOL_INFO,
        K.FROM_PROTOCOL_INFO,
        info,
      );
    },
    setNonBlocking(fd, on) {
      box[0] = on ? 1 : 0;
      const r = W.ioctlsocket(fd, K.FIONBIO | 0, box);
      if (r === 0) {
        if (on) nonBlocking.add(fd);
        else nonBlocking.delete(fd);
      }
      return r;
    },
    getNonBlocking(fd) {
      intLen[0] = 4;
      if (W.getsockopt(fd, K.SOL_SOCKET, K.SO_TYPE, box, intLen) < 0) return -1;
      return nonBlocking.has(fd) ? 1 : 0;
    },
    getCloexec(fd) {
      if (!k32.GetHandleInformation(fd, box)) return -1;
      return box[0]! & HANDLE_FLAG_INHERIT ? 0 : 1;
    },
    setCloexec(fd, on) {
      return k32.SetHandleInformation(
        fd,
        HANDLE_FLAG_INHERIT,
        on ? 0 : HANDLE_FLAG_INHERIT,
      )
        ? 0
        : -1;
    },
    lastError: W.WSAGetLastError,
    setLastError: W.WSASetLastError,
    socketInfo(fd, out) {
      intLen[0] = WSAPROTOCOL_INFOW_SIZE;
      if (W.getsockopt(fd, K.SOL_SOCKET, K.SO_PROTOCOL_INFOW, info, intLen) < 0)
        return -1;
      out[0] = infoView.getInt32(PI_FAMILY, true);
      out[1] = infoView.getInt32(PI_TYPE, true);
      out[2] = infoView.getInt32(PI_PROTOCOL, true);
      return 0;
    },
    shareSocket: (fd, pid, pi) => W.WSADuplicateSocketW(fd, pid, pi),
    fromShare: (pi) =>
      newSocket(
        K.FROM_PROTOCOL_INFO,
        K.FROM_PROTOCOL_INFO,
        K.FROM_PROTOCOL_INFO,
        pi,
      ),
    processId: () => k32.GetCurrentProcessId(),
  };
  return sys;
}

/**
 * Winsock struct layouts (LLP64: `long` is 4 bytes):
 * - sockaddr_in (16), sockaddr_in6 (28): as Linux (u16 family@0); sockaddr_un (afunix.h, 110): u16 family@0,
 *   char sun_path[108]@2
 * - WSAPOLLFD (16): SOCKET fd@0 (8 bytes), SHORT events@8, SHORT revents@10, 4 bytes padding
 * - fd_set (8 + 8n): u_int fd_count@0, 4 bytes padding, SOCKET fd_array[]@8
 * - addrinfo (48): flags@0 family@4 socktype@8 protocol@12 size_t addrlen@16 ai_canonname@24 ai_addr@32 ai_next@40
 * - hostent (32): char *h_name@0, char **h_aliases@8, short h_addrtype@16, short h_length@18, char **h_addr_list@24
 * - servent (32, _WIN64 order): char *s_name@0, char **s_aliases@8, char *s_proto@16, short s_port@24
 * - protoent (24): char *p_name@0, char **p_aliases@8, short p_proto@16
 * - if_nameindex (16): our own array from GetIfTable2Ex (Winsock has no if_nameindex): u32 index@0, char *name@8
 * - msghdr/iovec/cmsghdr: unused (no sendmsg/recvmsg; `features.sendmsg` is false); WSACMSGHDR is shaped as Linux's
 * - linger (4): u_short l_onoff, u_short l_linger; timeval (8): long tv_sec@0, long tv_usec@4
 * - WSAPROTOCOL_INFOW: 628 bytes (the `share()` blob)
 */
export const win32Layout: Layout = {
  familyField: "u16",
  storageSize: 128,
  sinSize: 16,
  sin6Size: 28,
  sunPathOffset: 2,
  sunPathSize: 108,
  pollfd: { size: 16, fd: 0, fdSize: 8, events: 8, revents: 10 },
  addrinfo: {
    size: 48,
    flags: 0,
    family: 4,
    socktype: 8,
    protocol: 12,
    addrlen: 16,
    addrlenSize: 8,
    canonname: 24,
    addr: 32,
    next: 40,
  },
  hostent: {
    size: 32,
    name: 0,
    aliases: 8,
    addrtype: 16,
    length: 18,
    addrList: 24,
    shortFields: true,
  },
  servent: { size: 32, name: 0, aliases: 8, proto: 16, port: 24 },
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
  linger: { size: 4 },
  timeval: { size: 8, usecSize: 4 },
  fdSet: { count: 0, array: 8 },
  protocolInfoSize: WSAPROTOCOL_INFOW_SIZE,
};

/** What Winsock offers. */
export const win32Features: Features = {
  os: "win32",
  sockTypeFlags: false,
  msgNoSignal: false,
  soNoSigpipe: false,
  abstractUnix: false,
  soDomain: false,
  epoll: false,
  kqueue: false,
  connectInProgress: "EWOULDBLOCK",
  closedSocket: "ENOTSOCK",
  winerror: true,
  socketpair: false,
  sendmsg: false,
  sockoptTimeoutMs: true,
  soReuseAddrSteals: true,
};

/** This OS's constant tables, handed over with its binding (`src/ffi/index.ts` loads one module per OS). */
export {
  errnoConstants,
  selectConstants,
  socketConstants,
} from "./constants/win32.ts";
