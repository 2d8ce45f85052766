/** `socket.sendfile()`: Linux `sendfile(2)` for anything with a descriptor, else a read + send loop (CPython's socket.py logic). */
import { fstatSync, openSync, closeSync, readSync } from "node:fs";
import { plat } from "../ffi/index.ts";
import * as C from "../platform/calls.ts";
import { now, WAIT_WRITE, waitFd } from "../platform/wait.ts";
import { pyType } from "./args.ts";
import { BlockingIOError, fromErrno, timedOut, ValueError } from "./errors.ts";

const E = plat.errnos;
const K = plat.consts;
const SEEK_SET = 0;

/** A file-like object: what CPython's `sendfile` looks at (`fileno`, `read`, `seek`, `mode`), or a Node FileHandle (`fd`). */
export interface FileLike {
  fileno?(): number;
  fd?: number;
  read?(n: number): ArrayBufferView | string | null;
  seek?(offset: number): unknown;
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
        `count must be a positive integer (got ${String(count)})`,
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

function source(file: SendfileSource): Source {
  if (typeof file === "number") {
    if (!Number.isInteger(file) || file < 0)
      throw new ValueError(`invalid file descriptor ${file}`);
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
    const fd = openSync(path, "r");
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
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0)
    throw new ValueError(
      `offset must be a non-negative integer (got ${String(offset)})`,
    );
  const timeout = sock.gettimeout();
  if (timeout === 0)
    throw new ValueError("non-blocking sockets are not supported");
  const src = source(file);
  try {
    const sockfd = sock.fileno();
    if (sockfd < 0) throw fromErrno(E.EBADF);
    if (src.fd >= 0) {
      const r = viaSendfile(sockfd, src, offset, count, timeout);
      if (r !== null) return r;
    }
    return viaSend(sock, src, offset, count);
  } finally {
    src.done();
  }
}

/** `sendfile(2)` loop; `null` when the descriptor can't be used that way (nothing sent yet: fall back). */
function viaSendfile(
  sockfd: number,
  src: Source,
  offset: number,
  count: number | null,
  timeout: number | null,
): number | null {
  let size: number;
  try {
    const st = fstatSync(src.fd);
    if (!st.isFile()) return null;
    size = st.size;
  } catch {
    return null;
  }
  if (size === 0) return 0;
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
        got = readSync(src.fd, chunk, 0, n, pos);
      } catch {
        got = readSync(src.fd, chunk, 0, n, null);
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
