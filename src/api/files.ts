/** The `makefile()` classes as the package exports them: stand-ins that load `makefile.ts` on first use. */
import { loadOnce } from "../ffi/lazy.ts";
import type * as Makefile from "./makefile.ts";

/** The key of the socket method a closing file calls (CPython's `_decref_socketios`). */
export const IO_DECREF: unique symbol = Symbol("decref_socketios");

/**
 * `makefile.ts`, loaded on the first `makefile()` call or first use of an exported file class: its thousand
 * lines would otherwise cost every program start-up time (bench E), used or not.
 */
export const makefileModule: () => typeof Makefile = loadOnce(
  () => require("./makefile.ts") as typeof Makefile,
);

/**
 * A stand-in for a class of `makefile.ts` that loads the module on first use and then behaves as the class:
 * `new`, `instanceof`, `extends`, static members and its `prototype` all reach the real class.
 */
function lazyClass<
  K extends "SocketIO" | "BufferedSocketFile" | "TextSocketFile",
>(name: K): (typeof Makefile)[K] {
  const real = (): (typeof Makefile)[K] => makefileModule()[name];
  // A plain function target: callable and constructible, as a class is, with a writable `prototype`.
  const target = function () {} as unknown as (typeof Makefile)[K];
  Object.defineProperty(target, "name", { value: name });
  return new Proxy(target, {
    get: (_t, key) => Reflect.get(real(), key),
    set: (_t, key, value) => Reflect.set(real(), key, value),
    has: (_t, key) => Reflect.has(real(), key),
    apply: (_t, self, args) => Reflect.apply(real(), self, args),
    construct: (_t, args, newTarget) =>
      Reflect.construct(real(), args, newTarget) as object,
  });
}

/**
 * Python's `socket.SocketIO`: the raw file of `makefile(mode, 0)`, one `recv_into`/`send` per call.
 * In non-blocking mode `readinto`/`write` return `null` when the call would block; after a timeout every
 * later read raises `OSError("cannot read from timed out object")` (bpo-7322: buffered data may be lost).
 * @example
 * ```ts
 * using f = s.makefile("rwb", 0); // a SocketIO
 * f.write(Buffer.from("ping\n"));
 * console.log(f.read(1024));
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.socket.makefile
 * @class
 */
export const SocketIO: typeof Makefile.SocketIO = lazyClass("SocketIO");
/** An instance of {@link SocketIO}. */
export type SocketIO = Makefile.SocketIO;

/**
 * Python's `io.BufferedReader`/`BufferedWriter`/`BufferedRWPair` over a SocketIO: the binary file of
 * `makefile("rb" | "wb" | "rwb")`. Reads fill an internal buffer with one `recv_into` at a time (never a
 * call per byte or per line); writes collect until the buffer is full or `flush()`.
 *
 * DIFFERS FROM CPYTHON: one class for the three; the `"rwb"` file therefore has `mode`, `name` and `peek`, which
 * CPython's BufferedRWPair lacks.
 * @example
 * ```ts
 * using f = s.makefile("rb"); // a BufferedSocketFile
 * const statusLine = f.readline();
 * ```
 * @see https://docs.python.org/3/library/io.html#io.BufferedReader
 * @class
 */
export const BufferedSocketFile: typeof Makefile.BufferedSocketFile =
  lazyClass("BufferedSocketFile");
/** An instance of {@link BufferedSocketFile}. */
export type BufferedSocketFile = Makefile.BufferedSocketFile;

/**
 * Python's `io.TextIOWrapper` over the binary socket file: the file of `makefile("r" | "w" | "rw")`.
 * Decodes incrementally, so a multi-byte character split across reads comes out whole; sizes and limits count
 * characters (code points), as Python's `str` does.
 * @example
 * ```ts
 * using f = s.makefile("r", null, { encoding: "utf-8" }); // a TextSocketFile
 * for (const line of f) console.log(line.trimEnd());
 * ```
 * @see https://docs.python.org/3/library/io.html#io.TextIOWrapper
 * @class
 */
export const TextSocketFile: typeof Makefile.TextSocketFile =
  lazyClass("TextSocketFile");
/** An instance of {@link TextSocketFile}. */
export type TextSocketFile = Makefile.TextSocketFile;

/** What `makefile` returns for each mode. */
export type SocketFile = SocketIO | BufferedSocketFile | TextSocketFile;
