/** Argument checks with CPython's exceptions and messages, done before any OS call. */
import { OverflowError, ValueError } from "./errors.ts";

/** Python's name for the type of a JS value, as used in CPython's error messages. */
export function pyType(x: unknown): string {
  if (x === null || x === undefined) return "NoneType";
  switch (typeof x) {
    case "number":
      return Number.isInteger(x) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "function":
      return "function";
    case "symbol":
      return "symbol";
  }
  if (Array.isArray(x)) return "tuple";
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return "bytes";
  return (x as object).constructor?.name ?? "object";
}

/** The type name in CPython's "argument N must be X, not Y" messages (`None` rather than `NoneType`). */
export function pyArgType(x: unknown): string {
  return x === null || x === undefined ? "None" : pyType(x);
}

/**
 * Python's `__index__` conversion: an integer `number`, a `bigint` or a `boolean`, else TypeError
 * ("'float' object cannot be interpreted as an integer"). Returns a JS number (may exceed 2^53 for bigints).
 */
export function index(x: unknown): number {
  if (typeof x === "number") {
    if (Number.isInteger(x)) return x;
  } else if (typeof x === "boolean") return x ? 1 : 0;
  else if (typeof x === "bigint") return Number(x);
  throw new TypeError(
    `'${pyType(x)}' object cannot be interpreted as an integer`,
  );
}

const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;

/** A C `int` argument (PyArg "i"): TypeError for non-integers, OverflowError outside int range. */
export function cInt(x: unknown): number {
  if (typeof x === "number" && (x | 0) === x) return x;
  const v = index(x);
  if (v > INT_MAX)
    throw new OverflowError("signed integer is greater than maximum");
  if (v < INT_MIN)
    throw new OverflowError("signed integer is less than minimum");
  return v;
}

/** A C `int` converted by `PyLong_AsInt` (OverflowError "Python int too large to convert to C int"). */
export function cIntStrict(x: unknown): number {
  if (typeof x === "number" && (x | 0) === x) return x;
  const v = index(x);
  if (v > INT_MAX || v < INT_MIN)
    throw new OverflowError("Python int too large to convert to C int");
  return v;
}

/** A `Py_ssize_t` buffer size: OverflowError beyond ssize_t, ValueError("negative buffersize in <fn>") below 0. */
export function bufsize(x: unknown, fn: string): number {
  if (typeof x === "number" && x >= 0 && x <= 0x7fffffff && (x | 0) === x)
    return x;
  const v = index(x);
  if (v >= 2 ** 63)
    throw new OverflowError("Python int too large to convert to C ssize_t");
  if (v < 0) throw new ValueError(`negative buffersize in ${fn}`);
  return v;
}

/** Largest timeout Python accepts: time_t seconds as nanoseconds in int64 (≈ 292 years). */
const MAX_TIMEOUT_S = 9223372036;

/**
 * Python's `socket_parse_timeout`: `null`/`undefined` → -1 (blocking); a non-negative number of seconds.
 * TypeError for non-numbers, ValueError for NaN or negative, OverflowError for ±Infinity or absurdly large.
 */
export function timeout(x: unknown): number {
  if (x === null || x === undefined) return -1;
  let v: number;
  if (typeof x === "number") v = x;
  else if (typeof x === "boolean") v = x ? 1 : 0;
  else if (typeof x === "bigint") v = Number(x);
  else
    throw new TypeError(
      `'${pyType(x)}' object cannot be interpreted as an integer`,
    );
  if (Number.isNaN(v)) throw new ValueError("Invalid value NaN (not a number)");
  if (!Number.isFinite(v) || Math.abs(v) > MAX_TIMEOUT_S)
    throw new OverflowError("timestamp out of range for platform time_t");
  if (v < 0) throw new ValueError("Timeout value out of range");
  if (v === 0) return 0; // -0 is 0
  // CPython keeps whole nanoseconds rounded up (_PyTime_ROUND_TIMEOUT): 1e-10 reads back as 1e-9.
  return Math.ceil(v * 1e9) / 1e9;
}

const utf8 = new TextEncoder();

/** Bytes-like input (Python's buffer protocol): any ArrayBufferView, an ArrayBuffer, or a string sent as UTF-8. */
export type BytesLike =
  ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string;

/**
 * A Uint8Array over the caller's bytes, without copying views.
 * DIFFERS FROM CPYTHON: a string is accepted and encoded as UTF-8 (the seed's examples send strings;
 * Python 3 raises TypeError "a bytes-like object is required, not 'str'").
 */
export function bytes(x: unknown): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (ArrayBuffer.isView(x))
    return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (
    x instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && x instanceof SharedArrayBuffer)
  )
    return new Uint8Array(x);
  if (typeof x === "string") return utf8.encode(x);
  throw new TypeError(`a bytes-like object is required, not '${pyType(x)}'`);
}

/** Strict bytes-like input (no strings), for places where Python's message matters (setsockopt, inet_ntoa). */
export function strictBytes(x: unknown): Uint8Array {
  if (typeof x === "string")
    throw new TypeError(`a bytes-like object is required, not 'str'`);
  return bytes(x);
}

/** A writable buffer for `recv_into`-style calls: any TypedArray/DataView/Buffer, viewed as bytes. */
export function writableBytes(x: unknown): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (ArrayBuffer.isView(x))
    return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  throw new TypeError(
    `recv_into() argument 'buffer' must be read-write bytes-like object, not ${pyType(x)}`,
  );
}

/** An iterable argument, or Python's TypeError: `'int' object is not iterable`. */
export function iterable<T>(x: Iterable<T>): Iterable<T> {
  if (
    x === null ||
    x === undefined ||
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] !==
      "function"
  )
    throw new TypeError(`'${pyType(x)}' object is not iterable`);
  return x;
}

/** A keyword-options object (Python's keyword arguments): omitted or null means none; anything but an object is a TypeError. */
export function optionsArg<T extends object>(
  opts: T | null | undefined,
  fn: string,
): T {
  if (opts === null || opts === undefined) return {} as T;
  if (typeof opts !== "object")
    throw new TypeError(
      `${fn}() options must be an object of keyword arguments, not ${pyArgType(opts)}`,
    );
  return opts;
}
