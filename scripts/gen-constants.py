#!/usr/bin/env python3
"""Generate the Linux constant tables from the C headers of this machine.

Run from anywhere as `python3 scripts/gen-constants.py`. Writes:

  src/ffi/constants/linux.ts   socketConstants + errnoConstants (numbers from the headers)
  src/api/constants.ts         one public export per int constant of Python's `socket` module
  src/errno.ts                 the public `bun-socket/errno` module, mirroring Python's `errno`
  src/api/select-constants.ts  one public export per int constant of Python's `select` module
                               (POLL*, EPOLL*, PIPE_BUF), for `bun-socket/select`

Python supplies only the *names* (and the strerror texts for the TSDoc); every value comes
from compiling and running a C program against the system headers. A name that the headers
do not define is left out and listed in the generated file's header comment.

How it works: one C file holds `(void)(long long)(NAME);` per candidate, one per line, and is
checked with `gcc -fsyntax-only`; every line with an error (undeclared, or not an integer)
drops its name, and the check repeats until clean (usually 2 passes). This finds enums as well
as macros (glibc declares IPPROTO_*, SHUT_*, MSG_*, SOCK_* as enums, IPPORT_* only as enums).
A second program then prints every surviving name with printf("%lld").

The public files also export the names only macOS or Windows define (read from the tables that
scripts/gen-constants-os.py wrote, src/ffi/constants/darwin.ts and win32.ts). A name that all three OS
tables have is typed `number`; a name some OS lacks is typed `number | undefined` (it is `undefined` there,
where Python raises AttributeError).
"""

from __future__ import annotations

import errno
import os
import platform
import re
import select
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_TABLE = ROOT / "src/ffi/constants/linux.ts"
OUT_API = ROOT / "src/api/constants.ts"
OUT_ERRNO = ROOT / "src/errno.ts"
OUT_SELECT = ROOT / "src/api/select-constants.ts"

# Included in this order, each only if present (`__has_include`).
HEADERS = [
    "sys/types.h",
    "sys/socket.h",
    "sys/un.h",
    "netinet/in.h",
    "netinet/tcp.h",
    "netinet/udp.h",
    "arpa/inet.h",
    "netdb.h",
    "errno.h",
    "fcntl.h",
    "poll.h",
    "sys/epoll.h",
    "limits.h",
    "sys/ioctl.h",
    "net/if.h",
    "linux/version.h",
    "linux/netlink.h",
    "linux/tipc.h",
    "linux/can.h",
    "linux/can/raw.h",
    "linux/can/bcm.h",
    "linux/can/isotp.h",
    "linux/can/j1939.h",
    "linux/vm_sockets.h",
    "linux/if_alg.h",
    "linux/if_packet.h",
    "linux/rds.h",
    "linux/qrtr.h",
    "bluetooth/bluetooth.h",
    "bluetooth/rfcomm.h",
    "bluetooth/l2cap.h",
    "bluetooth/sco.h",
    "bluetooth/hci.h",
]

# Internal helpers the platform layer needs; not exported by Python's socket module.
EXTRA_NAMES = """
SOCK_NONBLOCK SOCK_CLOEXEC MSG_NOSIGNAL O_NONBLOCK F_GETFL F_SETFL F_GETFD F_SETFD FD_CLOEXEC
POLLIN POLLOUT POLLERR POLLHUP POLLNVAL POLLPRI POLLRDNORM POLLWRNORM POLLRDBAND POLLWRBAND
POLLMSG POLLRDHUP SO_DOMAIN SO_PROTOCOL SO_TYPE IPPORT_RESERVED IPPORT_USERRESERVED SOMAXCONN
""".split()

# Internal helpers of the select table (epoll_ctl operations); not exported by Python's select module.
SELECT_EXTRA_NAMES = "EPOLL_CTL_ADD EPOLL_CTL_MOD EPOLL_CTL_DEL".split()

# Constants CPython defines itself when the headers lack them, so that Python's socket module
# has them anyway; reproduced here under the same `#ifndef` guards, after the headers (a header
# value always wins). Sources: CPython Modules/socketmodule.h (the AF_ALG akcipher numbers of an
# out-of-tree kernel patch, never in the kernel's uapi <linux/if_alg.h>) and
# Modules/socketmodule.c (UDP-Lite options, defined only in the kernel-internal <net/udplite.h>).
CPYTHON_FALLBACKS = {
    "ALG_SET_PUBKEY": ("__has_include(<linux/if_alg.h>)", 6, "CPython Modules/socketmodule.h"),
    "ALG_OP_SIGN": ("__has_include(<linux/if_alg.h>)", 2, "CPython Modules/socketmodule.h"),
    "ALG_OP_VERIFY": ("__has_include(<linux/if_alg.h>)", 3, "CPython Modules/socketmodule.h"),
    "UDPLITE_SEND_CSCOV": ("defined(IPPROTO_UDPLITE)", 10, "CPython Modules/socketmodule.c"),
    "UDPLITE_RECV_CSCOV": ("defined(IPPROTO_UDPLITE)", 11, "CPython Modules/socketmodule.c"),
}


# Python names whose C name differs. CPython's socketmodule.c exports the linux/can/bcm.h
# opcodes and flags with a CAN_BCM_ prefix: PyModule_AddIntConstant(m, "CAN_BCM_TX_SETUP", TX_SETUP).
def c_name_of(py_name: str) -> str:
    if py_name.startswith("CAN_BCM_"):
        return py_name[len("CAN_BCM_") :]
    return py_name


def other_os_tables() -> dict[str, dict[str, set[str]]]:
    """The key sets of the macOS and Windows tables: {os: {"socketConstants": {...}, ...}}."""
    out: dict[str, dict[str, set[str]]] = {}
    for os_name in ("darwin", "win32"):
        text = (ROOT / f"src/ffi/constants/{os_name}.ts").read_text()
        tables = {}
        for m in re.finditer(r"export const (\w+) = \{(.*?)\} as const;", text, re.S):
            tables[m.group(1)] = set(re.findall(r"^\s*(\w+):", m.group(2), re.M))
        out[os_name] = tables
    return out


def os_helper_names() -> tuple[set[str], set[str], dict[str, str]]:
    """gen-constants-os.py's platform-layer helper names (not Python's), and its KQ_* -> C name map."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_constants_os", ROOT / "scripts/gen-constants-os.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    helpers = {n for names in mod.EXTRA_SOCKET.values() for n in names}
    select_helpers = {n for names in mod.EXTRA_SELECT.values() for n in names}
    return helpers, select_helpers, dict(mod.KQ_NAMES)


def int_names(module) -> list[str]:
    return sorted(
        n
        for n in dir(module)
        if n.isupper() and isinstance(getattr(module, n), int) and not isinstance(getattr(module, n), bool)
    )


def prelude() -> str:
    lines = ["#define _GNU_SOURCE"]
    for h in HEADERS:
        lines += [f"#if __has_include(<{h}>)", f"#include <{h}>", "#endif"]
    for name, (cond, value, _) in CPYTHON_FALLBACKS.items():
        lines += [f"#if {cond} && !defined({name})", f"#define {name} {value}", f"#define FALLBACK_{name} 1", "#endif"]
    return "\n".join(lines) + "\n"


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C", LANG="C")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, **kw)


def present_headers(tmp: Path) -> tuple[list[str], list[str]]:
    src = "#define _GNU_SOURCE\n" + "".join(
        f'#if __has_include(<{h}>)\nconst char *h_{i} = "HAVE {h}";\n#endif\n' for i, h in enumerate(HEADERS)
    )
    have = set(re.findall(r'"HAVE ([^"]+)"', preprocess(tmp, src)))
    return [h for h in HEADERS if h in have], [h for h in HEADERS if h not in have]


def preprocess(tmp: Path, src: str, *flags: str) -> str:
    f = tmp / "pp.c"
    f.write_text(src)
    r = run(["gcc", "-E", *flags, str(f)])
    if r.returncode != 0:
        sys.exit(f"gcc -E failed:\n{r.stderr}")
    return r.stdout


def header_macros(tmp: Path) -> set[str]:
    out = preprocess(tmp, prelude(), "-dM")
    return set(re.findall(r"^#define ([A-Za-z_][A-Za-z0-9_]*)[ (]", out, re.M))


def defined_names(tmp: Path, pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Keep the (py_name, c_name) pairs whose C name compiles as an integer expression."""
    pairs = list(pairs)
    dropped: dict[str, str] = {}
    for _ in range(10):
        head = prelude()
        first = head.count("\n") + 2  # line of the first expression (after "void f(void) {")
        body = "".join(f"(void)(long long)({c});\n" for _, c in pairs)
        f = tmp / "check.c"
        f.write_text(head + "void f(void) {\n" + body + "}\n")
        r = run(["gcc", "-fsyntax-only", "-fmax-errors=0", str(f)])
        if r.returncode == 0:
            return pairs, dropped
        bad: dict[int, str] = {}
        for m in re.finditer(r"^[^\n:]*check\.c:(\d+):\d+: error: (.*)$", r.stderr, re.M):
            idx = int(m.group(1)) - first
            if 0 <= idx < len(pairs):
                bad.setdefault(idx, m.group(2))
        if not bad:
            sys.exit(f"gcc failed outside the name list:\n{r.stderr[:4000]}")
        for idx, why in bad.items():
            dropped[pairs[idx][0]] = "undeclared" if "undeclared" in why else why
        pairs = [p for i, p in enumerate(pairs) if i not in bad]
    sys.exit("name check did not converge")


def values(tmp: Path, pairs: list[tuple[str, str]]) -> tuple[dict[str, int], list[str], str, str]:
    body = "".join(f'printf("V %s %lld\\n", "{p}", (long long)({c}));\n' for p, c in pairs)
    src = (
        prelude()
        + "#include <stdio.h>\n#include <gnu/libc-version.h>\n"
        + "int main(void) {\n"
        + 'printf("GLIBC %s\\n", gnu_get_libc_version());\n'
        + "#ifdef LINUX_VERSION_CODE\n"
        + 'printf("KERNEL %d.%d.%d\\n", LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 255, LINUX_VERSION_CODE & 255);\n'
        + "#endif\n"
        + "".join(f'#ifdef FALLBACK_{n}\nprintf("FALLBACK {n}\\n");\n#endif\n' for n in CPYTHON_FALLBACKS)
        + body
        + "return 0;\n}\n"
    )
    c, exe = tmp / "values.c", tmp / "values"
    c.write_text(src)
    r = run(["gcc", "-O0", "-o", str(exe), str(c)])
    if r.returncode != 0:
        sys.exit(f"gcc failed:\n{r.stderr[:4000]}")
    out = run([str(exe)]).stdout
    vals = {m.group(1): int(m.group(2)) for m in re.finditer(r"^V (\S+) (-?\d+)$", out, re.M)}
    glibc = re.search(r"^GLIBC (\S+)$", out, re.M)
    kernel = re.search(r"^KERNEL (\S+)$", out, re.M)
    fallbacks = re.findall(r"^FALLBACK (\S+)$", out, re.M)
    return vals, fallbacks, glibc.group(1) if glibc else "unknown", kernel.group(1) if kernel else "unknown"


# ---- TSDoc wording for src/api/constants.ts, by name family (longest prefix first) ----

SPECIAL_DOC = {
    "SOCK_NONBLOCK": "Flag OR-ed into the socket type that opens it non-blocking",
    "SOCK_CLOEXEC": "Flag OR-ed into the socket type that sets close-on-exec",
    "SOMAXCONN": "Largest `listen()` backlog the C library advertises",
    "IPPORT_RESERVED": "Ports below this number are privileged",
    "IPPORT_USERRESERVED": "Ports from this number on are free for user servers",
    "IP_DEFAULT_MULTICAST_TTL": "Default IPv4 multicast time-to-live",
    "IP_DEFAULT_MULTICAST_LOOP": "Default IPv4 multicast loopback setting",
    "IP_MAX_MEMBERSHIPS": "Most IPv4 multicast groups one socket may join",
    "IPV6_RTHDR_TYPE_0": "IPv6 routing header type 0",
    "NI_MAXHOST": "Buffer size for the host name of `getnameinfo()`",
    "NI_MAXSERV": "Buffer size for the service name of `getnameinfo()`",
    "IOCTL_VM_SOCKETS_GET_LOCAL_CID": "`ioctl()` request for the local `AF_VSOCK` CID",
    "EAGAIN": "errno value, re-exported by the socket module",
    "EBADF": "errno value, re-exported by the socket module",
    "EWOULDBLOCK": "errno value, re-exported by the socket module",
    "CAN_EFF_FLAG": "SocketCAN CAN id flag: extended frame format",
    "CAN_RTR_FLAG": "SocketCAN CAN id flag: remote transmission request",
    "CAN_ERR_FLAG": "SocketCAN CAN id flag: error message frame",
    "CAN_SFF_MASK": "SocketCAN CAN id mask: standard frame format",
    "CAN_EFF_MASK": "SocketCAN CAN id mask: extended frame format",
    "CAN_ERR_MASK": "SocketCAN CAN id mask: error class",
}

PREFIX_DOC = [
    ("SO_VM_SOCKETS_", "`AF_VSOCK` socket option"),
    ("SO_J1939_", "SAE J1939 socket option (level `SOL_CAN_J1939`)"),
    ("SCM_J1939_", "SAE J1939 control message type"),
    ("CAN_RAW_", "`CAN_RAW` socket option (level `SOL_CAN_RAW`)"),
    ("CAN_BCM_", "SocketCAN broadcast manager opcode or flag"),
    ("CAN_", "SocketCAN protocol"),
    ("J1939_", "SAE J1939 constant"),
    ("TIPC_", "TIPC constant"),
    ("ALG_", "`AF_ALG` kernel crypto API constant"),
    ("NETLINK_", "Netlink protocol"),
    ("PACKET_", "`AF_PACKET` packet type"),
    ("VMADDR_", "`AF_VSOCK` address"),
    ("VM_SOCKETS_", "`AF_VSOCK` constant"),
    ("AF_", "Address family"),
    ("PF_", "Protocol family"),
    ("SOCK_", "Socket type"),
    ("SOL_", "Socket option level"),
    ("SO_", "Socket option (level `SOL_SOCKET`)"),
    ("MSG_", "Flag for the send and receive calls"),
    ("IPPROTO_", "IP protocol number"),
    ("IPV6_", "IPv6 socket option (level `IPPROTO_IPV6`)"),
    ("IP_", "IPv4 socket option (level `IPPROTO_IP`)"),
    ("TCP_", "TCP socket option (level `IPPROTO_TCP`)"),
    ("UDPLITE_", "UDP-Lite socket option (level `IPPROTO_UDPLITE`)"),
    ("EAI_", "`getaddrinfo()` error code"),
    ("AI_", "`getaddrinfo()` flag"),
    ("NI_", "`getnameinfo()` flag"),
    ("SHUT_", "`shutdown()` direction"),
    ("SCM_", "Control message type (ancillary data)"),
    ("INADDR_", "IPv4 address, as a host-order integer"),
]


def api_doc(name: str) -> str:
    c = c_name_of(name)
    what = SPECIAL_DOC.get(name)
    if what is None:
        what = next((d for p, d in PREFIX_DOC if name.startswith(p)), "Socket constant")
    return f"/** {what} (C `{c}`). */"


# ---- writers ----


def ts_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_comment(words: list[str], width: int = 96) -> list[str]:
    lines, cur = [], "//  "
    for w in words:
        if len(cur) + 1 + len(w) > width and cur != "//  ":
            lines.append(cur)
            cur = "//  "
        cur += " " + w
    return lines + [cur]


def write_table(path, socket_vals, errno_vals, select_vals, have, missing_headers, missing, fallbacks, glibc, kernel):
    L = []
    L.append("// GENERATED by scripts/gen-constants.py; do not edit. Re-run the script to update.")
    L.append("//")
    L.append("// Numbers from the C headers of the machine that ran the script, compiled with gcc and")
    L.append("// printed by a C program; Python only supplied the names to look for.")
    L.append(f"// glibc {glibc}; Linux kernel headers {kernel}; {platform.machine()}; names from Python {platform.python_version()}.")
    L.append("// Headers (after #define _GNU_SOURCE):")
    L += wrap_comment(have)
    if missing_headers:
        L.append("// Not in this machine's headers (their names are absent):")
        L += wrap_comment(missing_headers)
    if fallbacks:
        L.append("// Not in these headers; CPython's own fallback value, under the same #ifndef guard:")
        for n in fallbacks:
            L.append(f"//   {n} = {CPYTHON_FALLBACKS[n][1]} ({CPYTHON_FALLBACKS[n][2]})")
    if missing:
        L.append("// Names Python's socket/errno/select modules have that these headers do not define:")
        for n, why in sorted(missing.items()):
            L.append(f"//   {n}: {why}")
    L.append("")
    L.append("/** Socket-module numbers (plus fcntl/poll helpers) of Linux, keyed by name, sorted by name. */")
    L.append("export const socketConstants = {")
    for n in sorted(socket_vals):
        L.append(f"  {n}: {socket_vals[n]},")
    L.append("} as const;")
    L.append("")
    L.append("/** errno numbers of Linux, keyed by C name, sorted by value then name. */")
    L.append("export const errnoConstants = {")
    for n in sorted(errno_vals, key=lambda n: (errno_vals[n], n)):
        L.append(f"  {n}: {errno_vals[n]},")
    L.append("} as const;")
    L.append("")
    L.append("/** select-module numbers of Linux (POLL*, EPOLL*, PIPE_BUF, plus EPOLL_CTL_*), keyed by name, sorted by name. */")
    L.append("export const selectConstants = {")
    for n in sorted(select_vals):
        L.append(f"  {n}: {select_vals[n]},")
    L.append("} as const;")
    path.write_text("\n".join(L) + "\n")


SELECT_DOC = {
    "POLLIN": "`poll()` event: there is data to read",
    "POLLPRI": "`poll()` event: there is urgent data to read",
    "POLLOUT": "`poll()` event: ready for output; writing will not block",
    "POLLERR": "`poll()` event: error condition (output only)",
    "POLLHUP": "`poll()` event: hung up (output only)",
    "POLLNVAL": "`poll()` event: invalid request, the descriptor is not open (output only)",
    "POLLRDNORM": "`poll()` event: normal data may be read",
    "POLLRDBAND": "`poll()` event: priority band data may be read",
    "POLLWRNORM": "`poll()` event: normal data may be written",
    "POLLWRBAND": "`poll()` event: priority data may be written",
    "POLLMSG": "`poll()` event: unused on Linux",
    "POLLRDHUP": "`poll()` event: the peer closed its end or shut down writing",
    "EPOLLIN": "`epoll` event: available for read",
    "EPOLLOUT": "`epoll` event: available for write",
    "EPOLLPRI": "`epoll` event: urgent data for read",
    "EPOLLERR": "`epoll` event: error condition happened on the descriptor",
    "EPOLLHUP": "`epoll` event: hang up happened on the descriptor",
    "EPOLLET": "`epoll` flag: edge-triggered behaviour (the default is level-triggered)",
    "EPOLLONESHOT": "`epoll` flag: one-shot behaviour; the descriptor is disabled after one event",
    "EPOLLEXCLUSIVE": "`epoll` flag: wake only one epoll object when the associated descriptor has an event",
    "EPOLLRDHUP": "`epoll` event: the stream socket peer closed the connection or shut down writing",
    "EPOLLRDNORM": "`epoll` event: equivalent to `EPOLLIN`",
    "EPOLLRDBAND": "`epoll` event: priority data band can be read",
    "EPOLLWRNORM": "`epoll` event: equivalent to `EPOLLOUT`",
    "EPOLLWRBAND": "`epoll` event: priority data may be written",
    "EPOLLMSG": "`epoll` event: ignored",
    "EPOLL_CLOEXEC": "`epoll()` flag: close-on-exec, which bun-socket sets on every epoll descriptor",
    "PIPE_BUF": "Bytes a pipe write is guaranteed atomic for, and the least `select()`/`poll()` report writable",
}


def ts_type(name: str, optional: set[str]) -> str:
    return "number"


# The public constants are typed `number`, as Node types `os.constants`: a name only some OSes define is
# `undefined` on the others (where Python raises AttributeError), and its TSDoc says so.
WIDEN_NOTE = [
    "// Typed `number` like Node's `os.constants`: a name only some OSes define is `undefined` on the",
    "// others (Python raises AttributeError there); its TSDoc says so.",
]
NOT_EVERYWHERE = " Not on every OS: `undefined` where the OS lacks it."


def write_select(path, names, optional=frozenset(), kq_c=None):
    L = []
    L.append("// GENERATED by scripts/gen-constants.py: the int constants of Python's select module; do not edit.")
    L.append("")
    L.append("/**")
    L.append(" * The numeric constants of Python's `select` module (`POLL*`, `EPOLL*`, `PIPE_BUF`). Each one is")
    L.append(" * the value of the C constant of the same name in the headers of the running OS, exactly as")
    L.append(" * Python's select module has it. A constant only some OSes define (EPOLL* on Linux, KQ_* on macOS)")
    L.append(" * is typed `number | undefined` and is `undefined` on the others, where Python has no such name.")
    L.append(" *")
    L.append(" * @see https://docs.python.org/3/library/select.html")
    L.append(" * @packageDocumentation")
    L.append(" */")
    L.append('import { plat } from "../ffi/index.ts";')
    L.append("")
    L += WIDEN_NOTE
    L.append("const K = plat.selectConsts as Readonly<Record<keyof typeof plat.selectConsts, number>>;")
    L.append("")
    for n in names:
        what = SELECT_DOC.get(n)
        c = n
        if what is None and kq_c and n in kq_c:
            c = kq_c[n]
            what = "`kqueue` filter or flag"
        what = what or "select-module constant"
        L.append(f"/** {what} (C `{c}`).{NOT_EVERYWHERE if n in optional else ''} */")
        L.append(f"export const {n}: {ts_type(n, optional)} = K.{n};")
    path.write_text("\n".join(L) + "\n")


def write_api(path, names, optional=frozenset()):
    L = []
    L.append("// GENERATED by scripts/gen-constants.py: the int constants of Python's socket module; do not edit.")
    L.append("")
    L.append("/**")
    L.append(" * The numeric constants of Python's `socket` module (`AF_*`, `SOCK_*`, `SO_*`, `MSG_*`, `SOL_*`,")
    L.append(" * `IPPROTO_*`, `EAI_*`, ...). Each one is the value of the C constant of the same name in the")
    L.append(" * headers of the running OS, exactly as Python's socket module has it. A constant only some OSes")
    L.append(" * define is `undefined` on the others (Python: AttributeError); its TSDoc says so.")
    L.append(" * Names follow Python (`CAN_BCM_TX_SETUP` is C `TX_SETUP`).")
    L.append(" *")
    L.append(" * @see https://docs.python.org/3/library/socket.html#constants")
    L.append(" * @packageDocumentation")
    L.append(" */")
    L.append('import { plat } from "../ffi/index.ts";')
    L.append("")
    L += WIDEN_NOTE
    L.append("const K = plat.consts as Readonly<Record<keyof typeof plat.consts, number>>;")
    L.append("")
    for n in names:
        doc = api_doc(n)
        L.append(doc[:-3] + NOT_EVERYWHERE + " */" if n in optional else doc)
        L.append(f"export const {n}: {ts_type(n, optional)} = K.{n};")
    path.write_text("\n".join(L) + "\n")


def write_errno(path, names, order, optional=frozenset(), texts=None):
    L = []
    L.append("// GENERATED by scripts/gen-constants.py: bun-socket/errno (Python's errno); do not edit.")
    L.append("")
    L.append("/**")
    L.append(" * The errno numbers of the running OS under their C names, like Python's `errno` module,")
    L.append(" * plus `errorcode`, which maps each number back to a name.")
    L.append(" *")
    L.append(" * @see https://docs.python.org/3/library/errno.html")
    L.append(" * @packageDocumentation")
    L.append(" */")
    L.append('import { plat } from "./ffi/index.ts";')
    L.append("")
    L += WIDEN_NOTE
    L.append("const N = plat.errnos as Readonly<Record<keyof typeof plat.errnos, number>>;")
    L.append("")
    for n in names:
        text = os.strerror(getattr(errno, n)).rstrip(".") if hasattr(errno, n) else (texts or {}).get(n, n)
        L.append(f"/** {n}: {text}.{NOT_EVERYWHERE if n in optional else ''} */")
        L.append(f"export const {n}: {ts_type(n, optional)} = N.{n};")
    L.append("")
    L.append("// The order in which CPython's Modules/errnomodule.c adds the names; where aliases share a")
    L.append("// number (EAGAIN/EWOULDBLOCK, EDEADLK/EDEADLOCK, EOPNOTSUPP/ENOTSUP) the last one wins,")
    L.append("// which gives errorcode the same names as Python's.")
    L.append("const insertionOrder: readonly string[] = [")
    for n in order:
        L.append(f"  {ts_string(n)},")
    L.append("];")
    L.append("")
    L.append("function buildErrorcode(): Readonly<Record<number, string>> {")
    L.append("  const byName = plat.errnos as Readonly<Record<string, number | undefined>>;")
    L.append("  const table: Record<number, string> = {};")
    L.append("  for (const name of insertionOrder) {")
    L.append("    const value = byName[name];")
    L.append("    if (value !== undefined) table[value] = name;")
    L.append("  }")
    L.append("  return Object.freeze(table);")
    L.append("}")
    L.append("")
    L.append("/**")
    L.append(" * Maps each errno number to its name, as Python's `errno.errorcode` does: `errorcode[111]` is")
    L.append(' * `"ECONNREFUSED"`. Where two names share a number, the name is the one Python gives.')
    L.append(" *")
    L.append(" * @see https://docs.python.org/3/library/errno.html#errno.errorcode")
    L.append(" */")
    L.append("export const errorcode: Readonly<Record<number, string>> = buildErrorcode();")
    path.write_text("\n".join(L) + "\n")


# TSDoc text of errno names Linux's Python does not have (CPython Modules/errnomodule.c's comments).
ERRNO_TEXTS = {
    "EAUTH": "Authentication error",
    "EBADARCH": "Bad CPU type in executable",
    "EBADEXEC": "Bad executable (or shared library)",
    "EBADMACHO": "Malformed Mach-o file",
    "EBADRPC": "RPC struct is bad",
    "EDEVERR": "Device error",
    "EFTYPE": "Inappropriate file type or format",
    "ENEEDAUTH": "Need authenticator",
    "ENOATTR": "Attribute not found",
    "ENOPOLICY": "Policy not found",
    "EPROCLIM": "Too many processes",
    "EPROCUNAVAIL": "Bad procedure for program",
    "EPROGMISMATCH": "Program version wrong",
    "EPROGUNAVAIL": "RPC prog. not avail",
    "EPWROFF": "Device power is off",
    "ERPCMISMATCH": "RPC version wrong",
    "ESHLIBVERS": "Shared library version mismatch",
    "EQFULL": "Interface output queue is full",
}


def wsa_text(name: str) -> str:
    """Windows' WSA* names: the text of the E* name they stand for, else the name."""
    base = name[3:]
    return os.strerror(getattr(errno, base)).rstrip(".") if hasattr(errno, base) else f"Winsock error {name}"


def main() -> None:
    if sys.platform != "linux":
        sys.exit("gen-constants.py generates the Linux tables; run it on Linux")

    py_socket = int_names(socket)
    py_errno = int_names(errno)
    py_select = int_names(select)
    # errno names in CPython's insertion order (errorcode's "last one wins" depends on it).
    errno_order = [n for n, v in vars(errno).items() if n.isupper() and isinstance(v, int)]

    with tempfile.TemporaryDirectory(prefix="gen-constants-") as d:
        tmp = Path(d)
        have, missing_headers = present_headers(tmp)
        macros = header_macros(tmp)
        inaddr = sorted(n for n in macros if n.startswith("INADDR_"))

        socket_names = sorted(set(py_socket) | set(EXTRA_NAMES) | set(inaddr))
        pairs = [(n, c_name_of(n)) for n in socket_names]
        pairs += [("errno:" + n, n) for n in py_errno]
        pairs += [("select:" + n, n) for n in sorted(set(py_select) | set(SELECT_EXTRA_NAMES))]
        kept, dropped = defined_names(tmp, pairs)
        vals, fallbacks, glibc, kernel = values(tmp, kept)

    socket_vals = {n: v for n, v in vals.items() if ":" not in n}
    errno_vals = {n[len("errno:") :]: v for n, v in vals.items() if n.startswith("errno:")}
    select_vals = {n[len("select:") :]: v for n, v in vals.items() if n.startswith("select:")}

    def bare(n: str) -> str:
        return n.split(":", 1)[-1]

    py_names = set(py_socket) | set(py_errno) | set(py_select)
    missing = {bare(n): why for n, why in dropped.items() if bare(n) in py_names}
    extra_missing = sorted(n for n in dropped if bare(n) not in missing and ":" not in n)
    extra_missing += sorted(bare(n) for n in dropped if n.startswith("select:") and bare(n) in SELECT_EXTRA_NAMES)

    OUT_TABLE.parent.mkdir(parents=True, exist_ok=True)
    write_table(OUT_TABLE, socket_vals, errno_vals, select_vals, have, missing_headers, missing, fallbacks, glibc, kernel)
    # Other OSes: names only macOS/Windows define are exported too, typed `number | undefined`.
    others = other_os_tables()
    helpers, select_helpers, kq_c = os_helper_names()

    def merged(table: str, linux_public: list[str], linux_all: set[str], skip: set[str]):
        keys = [others[o].get(table, set()) for o in others]
        extra = set().union(*keys) - set(linux_public) - skip
        public = sorted(set(linux_public) | extra)
        common = set(linux_all).intersection(*keys)
        return public, {n for n in public if n not in common}

    sock_pub, sock_opt = merged("socketConstants", [n for n in py_socket if n in socket_vals], set(socket_vals), helpers - set(py_socket))
    errno_pub, errno_opt = merged("errnoConstants", [n for n in py_errno if n in errno_vals], set(errno_vals), set())
    sel_pub, sel_opt = merged("selectConstants", [n for n in py_select if n in select_vals], set(select_vals), select_helpers)
    # errnomodule.c adds the macOS names and the WSA* names after the Linux ones: last one wins in errorcode.
    errno_order += [n for n in errno_pub if n not in errno_order]
    write_api(OUT_API, sock_pub, sock_opt)
    texts = dict(ERRNO_TEXTS)
    texts.update({n: wsa_text(n) for n in errno_pub if n.startswith("WSA")})
    write_errno(OUT_ERRNO, errno_pub, errno_order, errno_opt, texts)
    write_select(OUT_SELECT, sel_pub, sel_opt, kq_c)

    # Report, and cross-check against the values Python was built with.
    diffs = []
    for n in py_socket:
        if n in socket_vals and socket_vals[n] != getattr(socket, n):
            diffs.append(f"socket.{n}: headers {socket_vals[n]}, python {int(getattr(socket, n))}")
    for n in py_errno:
        if n in errno_vals and errno_vals[n] != getattr(errno, n):
            diffs.append(f"errno.{n}: headers {errno_vals[n]}, python {getattr(errno, n)}")
    for n in py_select:
        if n in select_vals and select_vals[n] != getattr(select, n):
            diffs.append(f"select.{n}: headers {select_vals[n]}, python {getattr(select, n)}")
    print(f"glibc {glibc}, kernel headers {kernel}")
    print(f"headers found: {len(have)}; missing: {' '.join(missing_headers) or '-'}")
    print(f"socketConstants: {len(socket_vals)} names ({len(py_socket)} in Python's socket module)")
    print(f"errnoConstants:  {len(errno_vals)} names ({len(py_errno)} in Python's errno module)")
    print(f"selectConstants: {len(select_vals)} names ({len(py_select)} in Python's select module)")
    print(f"CPython fallbacks used: {fallbacks or '-'}")
    print(f"Python names the headers lack: {missing or '-'}")
    print(f"extra names the headers lack: {extra_missing or '-'}")
    print(f"differences from Python: {diffs or '-'}")
    for p in (OUT_TABLE, OUT_API, OUT_ERRNO, OUT_SELECT):
        print("wrote", p.relative_to(ROOT))
    prettier = ROOT / "node_modules/.bin/prettier"
    if prettier.exists():
        r = run([str(prettier), "--write", str(OUT_TABLE), str(OUT_API), str(OUT_ERRNO), str(OUT_SELECT)])
        print("prettier:", "ok" if r.returncode == 0 else r.stderr)
    else:
        print("prettier not installed; run `npm run format`")


if __name__ == "__main__":
    main()
