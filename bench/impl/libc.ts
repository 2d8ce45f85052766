/**
 * Raw libc through `bun:ffi` for the bench's floor programs (Linux): the symbols, the Linux constants they
 * need and a loopback `sockaddr_in`. Used by bench/impl/rawffi.ts and bench/after-syscall/run.ts.
 */
import { dlopen, FFIType } from "bun:ffi";

if (process.platform !== "linux")
  throw new Error(
    "bench/impl/libc.ts: Linux only (glibc's symbols, Linux constants)",
  );

const libc = dlopen("libc.so.6", {
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  connect: { args: ["i32", "ptr", "u32"], returns: "i32" },
  bind: { args: ["i32", "ptr", "u32"], returns: "i32" },
  listen: { args: ["i32", "i32"], returns: "i32" },
  accept4: { args: ["i32", "ptr", "ptr", "i32"], returns: "i32" },
  getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  shutdown: { args: ["i32", "i32"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  send: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast },
  recv: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast },
  sendto: {
    args: ["i32", "ptr", "u64", "i32", "ptr", "u32"],
    returns: FFIType.i64_fast,
  },
  recvfrom: {
    args: ["i32", "ptr", "u64", "i32", "ptr", "ptr"],
    returns: FFIType.i64_fast,
  },
});
/** The libc functions, called directly. */
export const S = libc.symbols;

// Linux x86-64/arm64 numbers.
export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const SHUT_WR = 1;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const MSG_NOSIGNAL = 0x4000;

/** sockaddr_in for 127.0.0.1:port, in memory that never moves. */
export function loopback(port: number): Uint8Array {
  const sa = new Uint8Array(new ArrayBuffer(16));
  const v = new DataView(sa.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  sa.set([127, 0, 0, 1], 4);
  return sa;
}
