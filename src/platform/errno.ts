/** The last OS error and its names: errno capture, `strerror` text, and the errno-name table. */
import { CString } from "bun:ffi";
import { plat } from "../ffi/index.ts";

const sys = plat.sys;

/** The error code of the last failed OS call on this thread; read it before any other call. */
export function lastError(): number {
  return sys.lastError();
}

// Aliases that share a number with the name Node and libuv report in `code` (EAGAIN, EDEADLK, ENOTSUP).
const ALIASES = new Set(["EWOULDBLOCK", "EDEADLOCK", "EOPNOTSUPP"]);
/** number → name, built on the first lookup (an import-time loop costs start-up, bench E). */
let names: Map<number, string> | undefined;

function buildNames(): Map<number, string> {
  const m = new Map<number, string>();
  for (const [name, value] of Object.entries(plat.errnos)) {
    // Windows: WSAECONNREFUSED shares 10061 with ECONNREFUSED; `code` is the E* name, as Node's.
    const alias = ALIASES.has(name) || name.startsWith("WSA");
    if (value !== undefined && (!alias || !m.has(value))) m.set(value, name);
  }
  return m;
}

/** The C name of an errno value (`111` → `"ECONNREFUSED"`), or `undefined` when the OS has none. */
export function errnoName(code: number): string | undefined {
  return (names ??= buildNames()).get(code);
}

const messages = new Map<number, string>();

/** `strerror(3)` text for an errno value, as Python's `os.strerror` gives it. */
export function strerror(code: number): string {
  let m = messages.get(code);
  if (m === undefined) {
    const p = sys.strerror(code);
    m = p ? new CString(p as never).toString() : `Unknown error ${code}`;
    messages.set(code, m);
  }
  return m;
}

/** `gai_strerror(3)` text for an EAI_* code. */
export function gaiStrerror(code: number): string {
  const p = sys.gai_strerror(code);
  return p ? new CString(p as never).toString() : `Unknown error ${code}`;
}

/** Frequently tested errno values of this OS, resolved once. */
export const E = {
  EAGAIN: plat.errnos.EAGAIN,
  EWOULDBLOCK: plat.errnos.EWOULDBLOCK,
  EINTR: plat.errnos.EINTR,
  EINPROGRESS: plat.errnos.EINPROGRESS,
  EISCONN: plat.errnos.EISCONN,
  EBADF: plat.errnos.EBADF,
  EINVAL: plat.errnos.EINVAL,
  ENOTSOCK: plat.errnos.ENOTSOCK,
  ECONNRESET: plat.errnos.ECONNRESET,
  EAFNOSUPPORT: plat.errnos.EAFNOSUPPORT,
} as const;
