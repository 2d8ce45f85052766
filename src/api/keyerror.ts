/** Python's `KeyError` and `RuntimeError` for the select and selectors modules, and `repr()` for their messages. */

/**
 * Python's `repr(x)` for the values bun-socket puts in messages: `None`, `True`, ints and floats,
 * strings in Python's quoting (`'x'`, or `"it's"`), lists, and objects through their own
 * `toString()` (a socket gives `<socket.socket fd=3, family=2, ...>`), else `<Name object>`.
 */
export function pyRepr(x: unknown): string {
  if (x === null || x === undefined) return "None";
  switch (typeof x) {
    case "boolean":
      return x ? "True" : "False";
    case "number":
      if (Number.isNaN(x)) return "nan";
      if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
      return String(x);
    case "bigint":
      return String(x);
    case "string":
      return reprString(x);
    case "symbol":
      return x.toString();
    case "function":
      return `<function ${x.name || "<anonymous>"}>`;
  }
  if (Array.isArray(x)) return `[${x.map(pyRepr).join(", ")}]`;
  const o = x as { toString?: () => string; constructor?: { name?: string } };
  if (
    typeof o.toString === "function" &&
    o.toString !== Object.prototype.toString
  ) {
    try {
      return String(o.toString());
    } catch {
      /* fall through to the generic form */
    }
  }
  return `<${o.constructor?.name ?? "object"} object>`;
}

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as CPython. */
function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f)
      out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/**
 * Python's `KeyError`: a mapping key (a descriptor, a file object) that is not there, or already is.
 * As in Python, `message` (`str(err)`) is the `repr()` of the single argument: `KeyError(5)` reads `5`,
 * `KeyError("x is not registered")` reads `'x is not registered'`. `args` holds the arguments.
 *
 * @example
 * ```ts
 * try { sel.get_key(sock); } catch (e) { if (e instanceof KeyError) console.log(e.args[0]); }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#KeyError
 */
export class KeyError extends Error {
  /** Python's `args` tuple: usually one element, the key or the message. */
  args: unknown[];
  constructor(...args: unknown[]) {
    super(
      args.length === 0
        ? ""
        : args.length === 1
          ? pyRepr(args[0])
          : `(${args.map(pyRepr).join(", ")})`,
    );
    this.args = args;
  }
}
Object.defineProperty(KeyError.prototype, "name", {
  value: "KeyError",
  writable: true,
  configurable: true,
});

/**
 * Python's `RuntimeError` (here: a selector used after `close()`, "Selector is closed").
 * @example
 * ```ts
 * try {
 *   sel.close();
 *   sel.get_key(s); // "Selector is closed"
 * } catch (e) {
 *   if (e instanceof selectors.RuntimeError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#RuntimeError
 */
export class RuntimeError extends Error {}
Object.defineProperty(RuntimeError.prototype, "name", {
  value: "RuntimeError",
  writable: true,
  configurable: true,
});
