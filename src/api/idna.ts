/** Host-name encoding as CPython's `"idna"` codec does it for socket calls (ASCII fast path, label checks). */
import { ValueError } from "./errors.ts";

function unicodeError(
  input: string,
  start: number,
  end: number,
  reason: string,
): ValueError {
  const what =
    end - start === 1
      ? `character '${input[start]}' in position ${start}`
      : `characters in position ${start}-${end - 1}`;
  return new ValueError(`'idna' codec can't encode ${what}: ${reason}`);
}

/**
 * A host name as the ASCII bytes the C resolver gets. ASCII names pass unchanged after CPython's label
 * checks (an empty label before the last, or a label of 64+ characters, is an error); other names are
 * converted to punycode (`xn--...`).
 * DIFFERS FROM CPYTHON: non-ASCII names use UTS #46 processing (WHATWG URL's `domainToASCII`) instead of
 * Python's IDNA 2003 codec; they agree except on a few characters such as `ß`.
 * @throws ValueError (Python's UnicodeEncodeError) for an invalid name
 */
export function idnaEncode(host: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(host)) {
    // node:url is loaded on first use: importing it costs start-up time every program would pay.
    const { domainToASCII } = require("node:url") as typeof import("node:url");
    const ascii = domainToASCII(host);
    if (ascii === "") throw unicodeError(host, 0, host.length, "label invalid");
    return ascii;
  }
  const labels = host.split(".");
  let offset = 0;
  for (let i = 0; i < labels.length; i++) {
    const n = labels[i]!.length;
    if (n === 0 && i < labels.length - 1 && host.length > 0)
      throw unicodeError(host, offset, offset + 1, "label empty");
    if (n >= 64) throw unicodeError(host, offset, offset + n, "label too long");
    offset += n + 1;
  }
  return host;
}
