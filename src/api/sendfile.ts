/** `socket.sendfile()`: Linux `sendfile(2)` for anything with a descriptor, else a read + send loop (CPython's socket.py logic). */
import { fstatSync, openSync, closeSync, readSync } from "node:fs";
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import { now, WAIT_WRITE, waitFd } from "../platform/wait.ts";
import { pyType } from "./args.ts";
import {
  BlockingIOError,
  fromErrno,
  OverflowError,
  timedOut,
  ValueError,
} from "./errors.ts";

const E = plat.errnos;
const K = plat.consts;
const SEEK_SET = 0;

/** A file-like object: what CPython's `sendfile` looks at (`fileno`, `read`, `seek`, `mode`), or a Node FileHandle (`fd`). */
export interface FileLike {
  /** The descriptor to send from with `sendfile(2)` (Python file objects). */
  fileno?(): number;
  /** The descriptor, for Node's `FileHandle`. */
  fd?: number;
  /** Reads up to `n` bytes: used when there is no descriptor to `sendfile(2)` from. */
  read?(n: number): ArrayBufferView | string | null;
  /** Moves the file position: to `offset` before sending (when one is given), to the end of what was sent after. */
  seek?(offset: number): unknown;
  /** The file's mode: text modes (without `"b"`) are refused, as CPython does. */
  mode?: string;
}

/** What `sendfile` accepts: a descriptor number, a file-like object, or a `Bun.file(path)`. */
export type SendfileSource = number | FileLike | Blob;

/** The socket side `sendfile` needs. */
export interface SendfileSocket {
  fileno(): number;
  readonly type: number;
  gettimeout(): number | null;
  send(data: Uint8Array): number;
}

function checkParams(
  sock: SendfileSocket,
  file: SendfileSource,
  count: number | null,
): void {
  const mode =
    typeof file === "object" && file !== null && "mode" in file
      ? (file as FileLike).mode
      : undefined;
  if (typeof mode === "string" && !mode.includes("b"))
    throw new ValueError("file should be opened in binary mode");
  if (!(sock.type & K.SOCK_STREAM))
    throw new ValueError("only SOCK_STREAM type sockets are supported");
  if (count !== null && count !== undefined) {
    if (typeof count !== "number" || !Number.isInteger(count))
      throw new TypeError(
        `count must be a positive integer (got ${typeof count === "string" ? `'${count}'` : String(count)})`,
      );
    if (count <= 0)
      throw new ValueError(`count must be a positive integer (got ${count})`);
  }
}

/** Waits for writability up to `timeout` seconds (CPython: one selector wait per chunk); TimeoutError if none. */
function waitWritable(fd: number, timeout: number | null): void {
  if (!timeout) return;
  const w = waitFd(fd, WAIT_WRITE, now() + timeout * 1e9);
  if (w === 0) throw timedOut();
  if (w < 0) throw fromErrno(-w);
}

/** Where the bytes come from: a descriptor (with how to put the position back), or a read() method. */
interface Source {
  fd: number;
  read: ((n: number) => Uint8Array) | null;
  seek: ((pos: number) => void) | null;
  done(): void;
}

/** A Node `fs` error (`code: "ENOENT"`, ...) as our OSError of the right class; anything else unchanged. */
function osErrorOf(e: unknown, filename?: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  const n =
    typeof code === "string"
      ? (E as Readonly<Record<string, number>>)[code]
      : undefined;
  return n === undefined ? e : fromErrno(n, filename);
}

function source(file: SendfileSource): Source {
  if (typeof file === "number") {
    if (!Number.isInteger(file) || file < 0)
      throw new ValueError(`invalid file descriptor ${file}`);
    if (file > 0x7fffffff)
      throw new OverflowError("fd is greater than maximum");
    return {
      fd: file,
      read: null,
      seek: (p) => void C.lseek(file, p, SEEK_SET),
      done() {},
    };
  }
  if (file instanceof Blob) {
    const path = (file as Blob & { name?: unknown }).name;
    if (typeof path !== "string")
      throw new TypeError(
        "sendfile() needs a Bun.file(path), not an in-memory Blob",
      );
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw osErrorOf(e, path);
    }
    return { fd, read: null, seek: null, done: () => closeSync(fd) };
  }
  if (typeof file !== "object" || file === null)
    throw new TypeError(
      `sendfile() argument 1 must be a file, not ${pyType(file)}`,
    );
  const seek =
    typeof file.seek === "function" ? (p: number) => void file.seek!(p) : null;
  const read =
    typeof file.read === "function"
      ? (n: number): Uint8Array => {
          const d = file.read!(n);
          if (d === null || d === undefined) return new Uint8Array(0);
          if (typeof d === "string")
            throw new ValueError("file should be opened in binary mode");
          return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        }
      : null;
  let fd = -1;
  if (typeof file.fileno === "function") {
    try {
      fd = file.fileno();
    } catch {
      fd = -1;
    }
  } else if (typeof file.fd === "number") fd = file.fd;
  if (fd > 0x7fffffff) throw new OverflowError("fd is greater than maximum");
  if (fd < 0 && read === null)
    throw new TypeError("sendfile() needs a file with fileno() or read()");
  return { fd, read, seek, done() {} };
}

/** CPython's `_sendfile_use_sendfile` then, if that gives up before sending anything, `_sendfile_use_send`. */
export function sendfileImpl(
  sock: SendfileSocket,
  file: SendfileSource,
  offset: number,
  count: number | null,
): number {
  checkParams(sock, file, count);
  // DIFFERS FROM CPYTHON: a negative offset is a ValueError here (CPython fails later, in os.sendfile or seek).
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0)
    throw new ValueError(
      `offset must be a non-negative integer (got ${String(offset)})`,
    );
  // As CPython's off_t converter above 2**63 - 1. DIFFERS FROM CPYTHON: offsets between 2**53 and 2**63 (past
  // 8 PiB) are refused too, as a JavaScript number no longer holds them exactly (fuzzer-found: Node's RangeError).
  if (offset > Number.MAX_SAFE_INTEGER)
    throw new OverflowError(
      offset > 2 ** 63 - 1
        ? "Python int too large to convert to C long"
        : "offset is greater than 2**53 - 1",
    );
  const timeout = sock.gettimeout();
  const src = source(file);
  try {
    if (src.fd >= 0) {
      const r = viaSendfile(sock, src, offset, count, timeout);
      if (r !== null) return r;
    }
    if (timeout === 0)
      throw new ValueError("non-blocking sockets are not supported");
    return viaSend(sock, src, offset, count);
  } finally {
    src.done();
  }
}

/** `sendfile(2)` loop; `null` when the descriptor can't be used that way (nothing sent yet: fall back). */
function viaSendfile(
  sock: SendfileSocket,
  src: Source,
  offset: number,
  count: number | null,
  timeout: number | null,
): number | null {
  let size: number;
  try {
    const st = fstatSync(src.fd);
    // DIFFERS FROM CPYTHON: CPython sends a pipe, FIFO or socket with os.sendfile when fstat works, and as their
    // st_size is 0 it returns 0 without sending anything; here they fall back to the read + send loop.
    if (!st.isFile()) return null;
    size = st.size;
  } catch {
    return null;
  }
  // As CPython: an empty regular file returns 0 before the socket mode is looked at.
  if (size === 0) return 0;
  if (timeout === 0)
    throw new ValueError("non-blocking sockets are not supported");
  const sockfd = sock.fileno();
  if (sockfd < 0) throw fromErrno(E.EBADF);
  let blocksize = Math.min(count || size, 2 ** 30);
  let total = 0;
  let off = offset;
  try {
    for (;;) {
      waitWritable(sockfd, timeout);
      if (count) {
        blocksize = Math.min(count - total, blocksize);
        if (blocksize <= 0) break;
      }
      const sent = C.sendfile(sockfd, src.fd, off, blocksize);
      if (sent < 0) {
        const e = -sent;
        if (e === E.EAGAIN || e === E.EINTR) {
          if (!timeout && e === E.EAGAIN) waitFd(sockfd, WAIT_WRITE, -1);
          continue;
        }
        if (
          total === 0 &&
          (e === E.EINVAL ||
            e === E.ENOSYS ||
            e === E.ENOTSUP ||
            e === E.EOPNOTSUPP)
        )
          return null;
        throw fromErrno(e);
      }
      if (sent === 0) break;
      off += sent;
      total += sent;
    }
    return total;
  } finally {
    if (total > 0 && src.seek) src.seek(off);
  }
}

/** The read + send loop (CPython's `_sendfile_use_send`), 8 KiB at a time. */
function viaSend(
  sock: SendfileSocket,
  src: Source,
  offset: number,
  count: number | null,
): number {
  if (offset && src.seek) src.seek(offset);
  const chunk = new Uint8Array(new ArrayBuffer(8192));
  let pos = offset;
  const read =
    src.read ??
    ((n: number): Uint8Array => {
      let got: number;
      try {
        try {
          got = readSync(src.fd, chunk, 0, n, pos);
        } catch (e) {
          // ESPIPE: a pipe or socket has no position; read where it is
          if ((e as { code?: unknown }).code !== "ESPIPE") throw e;
          got = readSync(src.fd, chunk, 0, n, null);
        }
      } catch (e) {
        throw osErrorOf(e);
      }
      return chunk.subarray(0, got);
    });
  let blocksize = count ? Math.min(count, 8192) : 8192;
  let total = 0;
  try {
    for (;;) {
      if (count) {
        blocksize = Math.min(count - total, blocksize);
        if (blocksize <= 0) break;
      }
      let data = read(blocksize);
      if (data.length === 0) break;
      pos += data.length;
      for (;;) {
        let sent: number;
        try {
          sent = sock.send(data);
        } catch (e) {
          if (e instanceof BlockingIOError) continue;
          throw e;
        }
        total += sent;
        if (sent < data.length) data = data.subarray(sent);
        else break;
      }
    }
    return total;
  } finally {
    if (total > 0 && src.seek) src.seek(offset + total);
  }
}
