#!/usr/bin/env python3
"""Generate the macOS and Windows constant tables from those OSes' published headers.

    python3 scripts/gen-constants-os.py darwin --xnu XNU_DIR --libinfo LIBINFO_DIR
    python3 scripts/gen-constants-os.py win32 --mingw MINGW_DIR

XNU_DIR is a checkout of apple-oss-distributions/xnu (tag xnu-11417.101.15, macOS 15.4), LIBINFO_DIR one
of apple-oss-distributions/Libinfo (tag Libinfo-600: netdb.h), MINGW_DIR one of mingw-w64/mingw-w64 (tag
v14.0.0: the Windows SDK's socket headers, public domain). Pass --release to name other tags. Writes
src/ffi/constants/darwin.ts or src/ffi/constants/win32.ts, with the same three tables and key names as
src/ffi/constants/linux.ts (scripts/gen-constants.py): socketConstants, errnoConstants, selectConstants.

There is no compiler for those targets here, so the headers go through a small C preprocessor
(scripts/cheaders.py) in include order, with the target's predefined macros and type sizes, and each
name is evaluated from its #define (or enum). Which names exist follows CPython 3.13, which exports a
constant exactly when the headers define it:
  * socket: the int names of Python's socket module on this machine (Linux), plus the names
    Modules/socketmodule.c exports only on other OSes (OTHER_OS_SOCKET_NAMES below), plus the values
    socketmodule.c supplies itself when a header lacks one (`#else ADD_INT_CONST(...)`: CPYTHON_DEFAULTS);
  * errno: Modules/errnomodule.c's names; on Windows its rule: the VS2010 POSIX-supplement values
    (EADDRINUSE 100, ...) are #undef'd and the WSA* value is used instead (WSA_PREFERRED);
  * select: POLL* and PIPE_BUF as Modules/selectmodule.c, and on macOS the KQ_* names (C EVFILT_*, EV_*,
    NOTE_*), plus internal helper names (the platform layer's, not exported by Python).
"""

from __future__ import annotations

import argparse
import errno
import platform
import select
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cheaders import NotConstant, Pre  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# Names CPython 3.13's Modules/socketmodule.c (socket_exec) exports under #ifdef guards that a Linux
# build never satisfies: BSD/macOS and Windows names. Python on this machine supplies the rest.
OTHER_OS_SOCKET_NAMES = """
AF_AAL5 AF_DECnet AF_LINK AF_SYSTEM PF_SYSTEM AF_DIVERT PF_DIVERT AF_NETBIOS AF_IMPLINK
SO_EXCLUSIVEADDRUSE SO_USELOOPBACK SO_REUSEPORT_LB SO_SETFIB SO_USER_COOKIE SO_RTABLE
LOCAL_PEERCRED LOCAL_CREDS LOCAL_CREDS_PERSISTENT SCM_CREDS SCM_CREDS2
MSG_BTAG MSG_ETAG MSG_NOTIFICATION MSG_EOF MSG_BCAST MSG_MCAST
SOL_ATALK SOL_AX25 SOL_IPX SOL_NETROM SOL_ROSE SYSPROTO_CONTROL
IPPROTO_GGP IPPROTO_IPV4 IPPROTO_HELLO IPPROTO_ND IPPROTO_XTP IPPROTO_EON IPPROTO_IPCOMP IPPROTO_VRRP
IPPROTO_BIP IPPROTO_MAX IPPROTO_ICLFXBM IPPROTO_ST IPPROTO_CBT IPPROTO_IGP IPPROTO_RDP IPPROTO_PGM
IPPROTO_L2TP IPPROTO_SCTP IPPROTO_MOBILE
IP_RECVDSTADDR IP_RECVRETOPTS IP_RETOPTS IPV6_USE_MIN_MTU
TCP_KEEPALIVE TCP_CONNECTION_INFO IPX_TYPE
EAI_BADHINTS EAI_PROTOCOL EAI_MAX AI_MASK AI_V4MAPPED_CFG AI_DEFAULT
SIO_RCVALL SIO_KEEPALIVE_VALS SIO_LOOPBACK_FAST_PATH RCVALL_OFF RCVALL_ON RCVALL_SOCKETLEVELONLY
RCVALL_IPLEVEL RCVALL_MAX ETHERTYPE_ARP ETHERTYPE_IP ETHERTYPE_IPV6 ETHERTYPE_VLAN
""".split()

# socketmodule.c: `#ifdef X ADD_INT_MACRO(m, X); #else ADD_INT_CONST(m, "X", default); #endif`.
CPYTHON_DEFAULTS = {
    "SOMAXCONN": 5,
    "SOL_IP": 0,
    "SOL_TCP": 6,
    "SOL_UDP": 17,
    "IPPROTO_IP": 0,
    "IPPROTO_ICMP": 1,
    "IPPROTO_TCP": 6,
    "IPPROTO_UDP": 17,
    "IPPROTO_RAW": 255,
    "IPPORT_RESERVED": 1024,
    "IPPORT_USERRESERVED": 5000,
    "INADDR_ANY": 0x00000000,
    "INADDR_BROADCAST": 0xFFFFFFFF,
    "INADDR_LOOPBACK": 0x7F000001,
    "INADDR_UNSPEC_GROUP": 0xE0000000,
    "INADDR_ALLHOSTS_GROUP": 0xE0000001,
    "INADDR_MAX_LOCAL_GROUP": 0xE00000FF,
    "INADDR_NONE": 0xFFFFFFFF,
}
# socketmodule.c: SHUT_RD/WR/RDWR from SD_RECEIVE/SD_SEND/SD_BOTH where only those exist (Windows).
CPYTHON_ALIASES = {"SHUT_RD": "SD_RECEIVE", "SHUT_WR": "SD_SEND", "SHUT_RDWR": "SD_BOTH"}
# socketmodule.c, under `#ifdef AF_VSOCK`: fixed values, not header ones.
VSOCK_CONSTS = {
    "SO_VM_SOCKETS_BUFFER_SIZE": 0,
    "SO_VM_SOCKETS_BUFFER_MIN_SIZE": 1,
    "SO_VM_SOCKETS_BUFFER_MAX_SIZE": 2,
    "VMADDR_CID_ANY": 0xFFFFFFFF,
    "VMADDR_PORT_ANY": 0xFFFFFFFF,
    "VMADDR_CID_LOCAL": 1,
    "VMADDR_CID_HOST": 2,
    "VM_SOCKETS_INVALID_VERSION": 0xFFFFFFFF,
}

# errnomodule.c: on Windows these E* names are #undef'd after <errno.h> ("added to errno.h in VS2010
# but have preferred WSA equivalents")...
WSA_PREFERRED = """
EADDRINUSE EADDRNOTAVAIL EAFNOSUPPORT EALREADY ECONNABORTED ECONNREFUSED ECONNRESET EDESTADDRREQ
EHOSTUNREACH EINPROGRESS EISCONN ELOOP EMSGSIZE ENETDOWN ENETRESET ENETUNREACH ENOBUFS ENOPROTOOPT
ENOTCONN ENOTSOCK EOPNOTSUPP EPROTONOSUPPORT EPROTOTYPE ETIMEDOUT EWOULDBLOCK
""".split()
# ...and these names fall back to WSA<name> when <errno.h> does not define them (`#else #ifdef WSAE...`).
WSA_FALLBACK = """
EHOSTUNREACH EINVAL EINTR EUSERS ENOTEMPTY ENOBUFS EREMOTE ELOOP EMSGSIZE EAFNOSUPPORT EHOSTDOWN
EPFNOSUPPORT ENOPROTOOPT EWOULDBLOCK EISCONN ESHUTDOWN EBADF EPROTOTYPE EALREADY ENETDOWN EACCES
ECONNREFUSED EPROTONOSUPPORT EADDRNOTAVAIL ENETRESET ETIMEDOUT EDQUOT EFAULT ENOTCONN EDESTADDRREQ
ECONNABORTED ENETUNREACH ESTALE ENOTSOCK ECONNRESET EADDRINUSE EOPNOTSUPP ENAMETOOLONG ESOCKTNOSUPPORT
ETOOMANYREFS EMFILE EINPROGRESS
""".split()
# errnomodule.c adds these WSA* names under their own names, after the E* names, on Windows.
WSA_NAMES = """
WSAEHOSTDOWN WSAENETDOWN WSAENOTSOCK WSAEHOSTUNREACH WSAELOOP WSAEMFILE WSAESTALE WSAVERNOTSUPPORTED
WSAENETUNREACH WSAEPROCLIM WSAEFAULT WSANOTINITIALISED WSAEUSERS WSAENOPROTOOPT WSAECONNABORTED
WSAENAMETOOLONG WSAENOTEMPTY WSAESHUTDOWN WSAEAFNOSUPPORT WSAETOOMANYREFS WSAEACCES WSABASEERR
WSAEMSGSIZE WSAEBADF WSAECONNRESET WSAETIMEDOUT WSAENOBUFS WSAEDISCON WSAEINTR WSAEPROTOTYPE
WSAEADDRINUSE WSAEADDRNOTAVAIL WSAEALREADY WSAEPROTONOSUPPORT WSASYSNOTREADY WSAEWOULDBLOCK
WSAEPFNOSUPPORT WSAEOPNOTSUPP WSAEISCONN WSAEDQUOT WSAENOTCONN WSAEREMOTE WSAEINVAL WSAEINPROGRESS
WSAESOCKTNOSUPPORT WSAEDESTADDRREQ WSAECONNREFUSED WSAENETRESET
""".split()
# errnomodule.c's macOS-only names (its "MacOSX specific errnos" block).
DARWIN_ERRNO_NAMES = """
EAUTH EBADARCH EBADEXEC EBADMACHO EBADRPC EDEVERR EFTYPE ENEEDAUTH ENOATTR ENOPOLICY EPROCLIM
EPROCUNAVAIL EPROGMISMATCH EPROGUNAVAIL EPWROFF ERPCMISMATCH ESHLIBVERS ENOTSUP ECANCELED EOWNERDEAD
ENOTRECOVERABLE EQFULL
""".split()

# selectmodule.c's kqueue names: Python name -> C name.
KQ_NAMES = {
    "KQ_FILTER_READ": "EVFILT_READ",
    "KQ_FILTER_WRITE": "EVFILT_WRITE",
    "KQ_FILTER_AIO": "EVFILT_AIO",
    "KQ_FILTER_VNODE": "EVFILT_VNODE",
    "KQ_FILTER_PROC": "EVFILT_PROC",
    "KQ_FILTER_NETDEV": "EVFILT_NETDEV",
    "KQ_FILTER_SIGNAL": "EVFILT_SIGNAL",
    "KQ_FILTER_TIMER": "EVFILT_TIMER",
    "KQ_EV_ADD": "EV_ADD",
    "KQ_EV_DELETE": "EV_DELETE",
    "KQ_EV_ENABLE": "EV_ENABLE",
    "KQ_EV_DISABLE": "EV_DISABLE",
    "KQ_EV_ONESHOT": "EV_ONESHOT",
    "KQ_EV_CLEAR": "EV_CLEAR",
    "KQ_EV_SYSFLAGS": "EV_SYSFLAGS",
    "KQ_EV_FLAG1": "EV_FLAG1",
    "KQ_EV_EOF": "EV_EOF",
    "KQ_EV_ERROR": "EV_ERROR",
    "KQ_NOTE_LOWAT": "NOTE_LOWAT",
    "KQ_NOTE_DELETE": "NOTE_DELETE",
    "KQ_NOTE_WRITE": "NOTE_WRITE",
    "KQ_NOTE_EXTEND": "NOTE_EXTEND",
    "KQ_NOTE_ATTRIB": "NOTE_ATTRIB",
    "KQ_NOTE_LINK": "NOTE_LINK",
    "KQ_NOTE_RENAME": "NOTE_RENAME",
    "KQ_NOTE_REVOKE": "NOTE_REVOKE",
    "KQ_NOTE_EXIT": "NOTE_EXIT",
    "KQ_NOTE_FORK": "NOTE_FORK",
    "KQ_NOTE_EXEC": "NOTE_EXEC",
    "KQ_NOTE_PCTRLMASK": "NOTE_PCTRLMASK",
    "KQ_NOTE_PDATAMASK": "NOTE_PDATAMASK",
    "KQ_NOTE_TRACK": "NOTE_TRACK",
    "KQ_NOTE_CHILD": "NOTE_CHILD",
    "KQ_NOTE_TRACKERR": "NOTE_TRACKERR",
    "KQ_NOTE_LINKUP": "NOTE_LINKUP",
    "KQ_NOTE_LINKDOWN": "NOTE_LINKDOWN",
    "KQ_NOTE_LINKINV": "NOTE_LINKINV",
}
POLL_NAMES = "POLLIN POLLPRI POLLOUT POLLERR POLLHUP POLLNVAL POLLRDNORM POLLRDBAND POLLWRNORM POLLWRBAND POLLMSG".split()

# Internal helpers of the platform layer (not exported by Python's socket module), as in gen-constants.py.
EXTRA_SOCKET = {
    "darwin": """O_NONBLOCK F_GETFL F_SETFL F_GETFD F_SETFD F_DUPFD_CLOEXEC FD_CLOEXEC POLLIN POLLOUT POLLERR
        POLLHUP POLLNVAL POLLPRI POLLRDNORM POLLWRNORM POLLRDBAND POLLWRBAND SO_TYPE SO_NOSIGPIPE SO_NREAD
        SOMAXCONN IPPORT_RESERVED IPPORT_USERRESERVED FIONBIO FIONREAD""".split(),
    "win32": """FIONBIO FIONREAD POLLIN POLLOUT POLLERR POLLHUP POLLNVAL POLLPRI POLLRDNORM POLLWRNORM POLLRDBAND
        POLLWRBAND SO_TYPE SO_PROTOCOL_INFOW SO_CONNECT_TIME SO_UPDATE_ACCEPT_CONTEXT SO_UPDATE_CONNECT_CONTEXT
        SOMAXCONN SD_RECEIVE SD_SEND SD_BOTH WSA_FLAG_OVERLAPPED WSA_FLAG_NO_HANDLE_INHERIT FROM_PROTOCOL_INFO
        UNIX_PATH_MAX FD_SETSIZE WSAHOST_NOT_FOUND WSATRY_AGAIN WSANO_RECOVERY WSANO_DATA""".split(),
}
EXTRA_SELECT = {
    "darwin": "EV_RECEIPT EV_DISPATCH EV_UDATA_SPECIFIC EV_VANISHED EV_OOBAND".split(),
    "win32": [],
}

SOURCES = {
    "darwin": [
        ("xnu", "bsd/sys/appleapiopts.h"),
        ("xnu", "bsd/sys/cdefs.h"),
        ("xnu", "bsd/sys/ioccom.h"),
        ("xnu", "bsd/sys/filio.h"),
        ("xnu", "bsd/sys/errno.h"),
        ("xnu", "bsd/sys/fcntl.h"),
        ("xnu", "bsd/sys/socket.h"),
        ("xnu", "bsd/sys/un.h"),
        ("xnu", "bsd/netinet/in.h"),
        ("xnu", "bsd/netinet6/in6.h"),
        ("xnu", "bsd/netinet/tcp.h"),
        ("xnu", "bsd/sys/poll.h"),
        ("xnu", "bsd/sys/event.h"),
        ("xnu", "bsd/sys/syslimits.h"),
        ("xnu", "bsd/net/if.h"),
        ("libinfo", "lookup.subproj/netdb.h"),
    ],
    "win32": [
        ("mingw", "mingw-w64-headers/include/sdkddkver.h"),
        ("mingw", "mingw-w64-headers/crt/errno.h"),
        ("mingw", "mingw-w64-headers/include/psdk_inc/_wsa_errnos.h"),
        ("mingw", "mingw-w64-headers/include/psdk_inc/_socket_types.h"),
        ("mingw", "mingw-w64-headers/include/psdk_inc/_fd_types.h"),
        ("mingw", "mingw-w64-headers/include/winerror.h"),
        ("mingw", "mingw-w64-headers/include/ws2def.h"),
        ("mingw", "mingw-w64-headers/include/winsock2.h"),
        ("mingw", "mingw-w64-headers/include/psdk_inc/_wsa_errnos.h"),  # again: its _WINSOCK2API_ part
        ("mingw", "mingw-w64-headers/include/in6addr.h"),
        ("mingw", "mingw-w64-headers/include/ws2ipdef.h"),
        ("mingw", "mingw-w64-headers/include/ws2tcpip.h"),
        ("mingw", "mingw-w64-headers/include/mstcpip.h"),
        ("mingw", "mingw-w64-headers/include/mswsock.h"),
        ("mingw", "mingw-w64-headers/include/afunix.h"),
    ],
}
RELEASES = {
    "xnu": "xnu-11417.101.15 (macOS 15.4)",
    "libinfo": "Libinfo-600",
    "mingw": "mingw-w64 v14.0.0",
}

PREDEFINED = {
    "darwin": {
        "__APPLE__": "1",
        "__MACH__": "1",
        "__LP64__": "1",
        "__GNUC__": "4",
        "__STDC__": "1",
    },
    "win32": {
        "_WIN32": "1",
        "_WIN64": "1",
        "__x86_64__": "1",
        "__MINGW32__": "1",
        "__MINGW64__": "1",
        "_WIN32_WINNT": "0x0A00",
        "WINVER": "0x0A00",
        "NTDDI_VERSION": "0x0A00000C",
        "WINAPI_FAMILY_PARTITION(x)": "1",
        "__MSABI_LONG(x)": "x",
    },
}
SIZEOF = {
    # LP64: macOS x86-64 and arm64 alike.
    "darwin": {
        "char": 1, "short": 2, "int": 4, "long": 8, "unsigned": 4, "unsigned int": 4, "unsigned long": 8,
        "unsigned short": 2, "unsigned char": 1, "u_int": 4, "u_long": 8, "u_short": 2, "u_char": 1,
        "u_int8_t": 1, "u_int16_t": 2, "u_int32_t": 4, "u_int64_t": 8, "uint8_t": 1, "uint16_t": 2,
        "uint32_t": 4, "uint64_t": 8, "int32_t": 4, "int64_t": 8, "in_addr_t": 4, "size_t": 8,
        "__uint32_t": 4, "__int32_t": 4, "sae_associd_t": 4, "sae_connid_t": 4,
    },
    # LLP64: long is 4 bytes on Windows.
    "win32": {
        "char": 1, "short": 2, "int": 4, "long": 4, "unsigned": 4, "unsigned int": 4, "unsigned long": 4,
        "unsigned short": 2, "unsigned char": 1, "u_int": 4, "u_long": 4, "u_short": 2, "u_char": 1,
        "DWORD": 4, "ULONG": 4, "LONG": 4, "USHORT": 2, "UCHAR": 1, "WORD": 2, "INT": 4, "UINT": 4,
        "SOCKET": 8, "ULONG_PTR": 8, "__LONG32": 4, "HRESULT": 4, "size_t": 8, "int32_t": 4, "uint32_t": 4,
    },
}


def py_int_names(module) -> list[str]:
    return sorted(
        n
        for n in dir(module)
        if n.isupper() and isinstance(getattr(module, n), int) and not isinstance(getattr(module, n), bool)
    )


def load(os_name: str, dirs: dict[str, Path]) -> tuple[Pre, list[str]]:
    pre = Pre(PREDEFINED[os_name], SIZEOF[os_name], set())
    used = []
    for repo, rel in SOURCES[os_name]:
        path = dirs[repo] / rel
        pre.process(path.read_text(errors="replace"), f"{repo}:{rel}")
        used.append(f"{rel} ({RELEASES[repo]})")
    return pre, used


def get(pre: Pre, name: str) -> int | None:
    if not pre.defined(name):
        return None
    try:
        return pre.value(name)
    except (NotConstant, KeyError, IndexError):
        return None


def socket_table(os_name: str, pre: Pre) -> tuple[dict[str, int], list[str]]:
    names = sorted(set(py_int_names(socket)) | set(OTHER_OS_SOCKET_NAMES) | set(EXTRA_SOCKET[os_name]))
    out: dict[str, int] = {}
    notes: list[str] = []
    for n in names:
        if n.startswith("CAN_BCM_"):
            continue  # Linux-only (C names differ); neither OS has SocketCAN
        if n == "TCP_KEEPALIVE" and os_name != "darwin":
            continue  # socketmodule.c: `#if defined(__APPLE__) && defined(TCP_KEEPALIVE)`
        v = get(pre, n)
        if v is None and n in CPYTHON_ALIASES and get(pre, CPYTHON_ALIASES[n]) is not None:
            v = get(pre, CPYTHON_ALIASES[n])
            notes.append(f"{n} = {CPYTHON_ALIASES[n]} (CPython socketmodule.c)")
        if v is None and n == "TCP_QUICKACK" and get(pre, "SIO_TCP_SET_ACK_FREQUENCY") is not None:
            v = get(pre, "SIO_TCP_SET_ACK_FREQUENCY")
            notes.append("TCP_QUICKACK = SIO_TCP_SET_ACK_FREQUENCY (CPython socketmodule.c)")
        if v is None and n in CPYTHON_DEFAULTS:
            v = CPYTHON_DEFAULTS[n]
            notes.append(f"{n} = {v} (not in these headers: CPython socketmodule.c's own value)")
        if v is not None:
            out[n] = v
    if "AF_VSOCK" in out:
        for n, v in VSOCK_CONSTS.items():
            out[n] = v
        io = get_expr(pre, "_IO(7, 0xb9)")
        if io is not None:
            out["IOCTL_VM_SOCKETS_GET_LOCAL_CID"] = io
        notes.append("SO_VM_SOCKETS_*, VMADDR_*, VM_SOCKETS_INVALID_VERSION, IOCTL_VM_SOCKETS_GET_LOCAL_CID: CPython socketmodule.c's values under #ifdef AF_VSOCK")
    return out, notes


def get_expr(pre: Pre, expr: str) -> int | None:
    from cheaders import tokenize

    try:
        return pre.eval_tokens(pre.expand(tokenize(expr)), in_if=False)
    except (NotConstant, KeyError, IndexError):
        return None


def errno_table(os_name: str, pre: Pre) -> tuple[dict[str, int], list[str]]:
    out: dict[str, int] = {}
    notes: list[str] = []
    base = py_int_names(errno)
    if os_name == "darwin":
        for n in sorted(set(base) | set(DARWIN_ERRNO_NAMES)):
            v = get(pre, n)
            if v is not None:
                out[n] = v
        return out, notes
    for n in WSA_PREFERRED:
        pre.macros.pop(n, None)
    notes.append("E* names #undef'd in favour of WSA*, as CPython errnomodule.c: " + " ".join(WSA_PREFERRED))
    for n in base:
        v = get(pre, n)
        if v is None and n in WSA_FALLBACK:
            v = get(pre, "WSA" + n)
        if v is not None:
            out[n] = v
    for n in WSA_NAMES:
        v = get(pre, n)
        if v is not None:
            out[n] = v
    return out, notes


def select_table(os_name: str, pre: Pre) -> dict[str, int]:
    out: dict[str, int] = {}
    for n in POLL_NAMES + ["PIPE_BUF"]:
        v = get(pre, n)
        if v is not None:
            out[n] = v
    if os_name == "darwin":
        for py, c in KQ_NAMES.items():
            v = get(pre, c)
            if v is not None:
                out[py] = v
        for n in EXTRA_SELECT[os_name]:
            v = get(pre, n)
            if v is not None:
                out[n] = v
    return out


def ts_table(name: str, doc: str, vals: dict[str, int], by_value: bool = False) -> list[str]:
    keys = sorted(vals, key=(lambda n: (vals[n], n)) if by_value else None)
    return [f"/** {doc} */", f"export const {name} = {{", *[f"  {k}: {vals[k]}," for k in keys], "} as const;", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("os", choices=["darwin", "win32"])
    ap.add_argument("--xnu", type=Path)
    ap.add_argument("--libinfo", type=Path)
    ap.add_argument("--mingw", type=Path)
    ap.add_argument("--release", action="append", default=[], help="REPO=LABEL, e.g. xnu='xnu-12377 (macOS 26)'")
    args = ap.parse_args()
    for r in args.release:
        k, _, v = r.partition("=")
        RELEASES[k] = v
    dirs = {k: getattr(args, k) for k in ("xnu", "libinfo", "mingw") if getattr(args, k) is not None}
    need = {repo for repo, _ in SOURCES[args.os]}
    missing = need - set(dirs)
    if missing:
        ap.error(f"{args.os} needs --{' --'.join(sorted(missing))}")

    pre, used = load(args.os, dirs)
    sock, sock_notes = socket_table(args.os, pre)
    errs, err_notes = errno_table(args.os, pre)
    sel = select_table(args.os, pre)
    # socket.py: EBADF = getattr(errno, 'EBADF', 9), and the same for EAGAIN and EWOULDBLOCK.
    for n in ("EAGAIN", "EBADF", "EWOULDBLOCK"):
        if n in errs and sock.get(n) != errs[n]:
            sock[n] = errs[n]
            sock_notes.append(f"{n} = errno.{n} (CPython Lib/socket.py)")

    title = {"darwin": "macOS (x86-64 and arm64: same values)", "win32": "Windows (x64 and arm64: same values)"}[args.os]
    L = [
        "// GENERATED by scripts/gen-constants-os.py; do not edit. Re-run the script to update.",
        "//",
        f"// {title}: numbers from the published headers, read by scripts/cheaders.py (no compiler for",
        f"// this target here); which names exist follows CPython 3.13's socket, errno and select modules.",
        f"// Names from Python {platform.python_version()} on {platform.system()} plus the other-OS names of",
        "// CPython Modules/socketmodule.c, errnomodule.c and selectmodule.c. Headers, in include order:",
        *[f"//   {u}" for u in used],
    ]
    if sock_notes or err_notes:
        L.append("// Not plain header values:")
        L += [f"//   {n}" for n in sock_notes + err_notes]
    L.append("")
    osname = {"darwin": "macOS", "win32": "Windows"}[args.os]
    L += ts_table("socketConstants", f"Socket-module numbers (plus platform-layer helpers) of {osname}, keyed by name, sorted by name.", sock)
    L += ts_table("errnoConstants", f"errno numbers of {osname}, keyed by C name, sorted by value then name.", errs, by_value=True)
    L += ts_table("selectConstants", f"select-module numbers of {osname} (and platform-layer helpers), keyed by name, sorted by name.", sel)
    out = ROOT / f"src/ffi/constants/{args.os}.ts"
    out.write_text("\n".join(L))
    print(f"{args.os}: socket {len(sock)}, errno {len(errs)}, select {len(sel)} names -> {out.relative_to(ROOT)}")
    prettier = ROOT / "node_modules/.bin/prettier"
    if prettier.exists():
        subprocess.run([str(prettier), "--write", str(out)], capture_output=True, timeout=120)


if __name__ == "__main__":
    main()
