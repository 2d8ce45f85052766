// Loading OpenSSL: BUN_SOCKET_LIBSSL / BUN_SOCKET_LIBCRYPTO overrides, and the one clear error when no usable
// OpenSSL 3 is found, while the core module keeps working. Each case runs in a child bun process.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { runChild } from "../helpers/peer.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

const PROBE = `
const out = {};
try {
  const ssl = await import("./src/ssl.ts");
  out.ssl = ssl.OPENSSL_VERSION;
} catch (e) {
  out.name = e.name;
  out.message = e.message;
}
const socket = await import("./src/index.ts");
const s = socket.socket();
out.core = s.fileno() >= 0;
try {
  socket.ssl(s);
  out.seed = "no error";
} catch (e) {
  out.seed = e.name + ": " + e.message.split("\\n")[0];
}
s.close();
console.log(JSON.stringify(out));
`;

async function probe(
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const r = await runChild(PROBE, { timeoutMs: 20_000, env });
  expect(r.timedOut).toBe(false);
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(
      `child printed ${JSON.stringify(r.stdout)}; stderr:\n${r.stderr}`,
    );
  }
}

describe("loading OpenSSL", () => {
  test("BUN_SOCKET_LIBSSL pointing nowhere: importing bun-socket/ssl throws one clear error; the core works", async () => {
    const out = await probe({ BUN_SOCKET_LIBSSL: "/nonexistent/libssl.so.3" });
    expect(out.name).toBe("ImportError");
    const msg = String(out.message);
    expect(msg).toStartWith(
      "bun-socket/ssl: cannot use the system OpenSSL: no libssl could be loaded.",
    );
    expect(msg).toContain("tried: ");
    expect(msg).toContain("/nonexistent/libssl.so.3");
    expect(msg).toContain("BUN_SOCKET_LIBSSL and BUN_SOCKET_LIBCRYPTO");
    expect(msg).toContain("apt install libssl3");
    expect(out.core).toBe(true);
    // socket.ssl() loads OpenSSL on first use and reports the same problem.
    expect(String(out.seed)).toStartWith(
      "ImportError: bun-socket/ssl: cannot use the system OpenSSL",
    );
  }, 30_000);

  test("BUN_SOCKET_LIBCRYPTO pointing nowhere names libcrypto", async () => {
    const out = await probe({
      BUN_SOCKET_LIBCRYPTO: "/nonexistent/libcrypto.so.3",
    });
    expect(String(out.message)).toContain("no libcrypto could be loaded");
    expect(String(out.message)).toContain("/nonexistent/libcrypto.so.3");
  }, 30_000);

  test("a library without OpenSSL's symbols is rejected with the missing symbol named", async () => {
    const out = await probe({ BUN_SOCKET_LIBSSL: "libc.so.6" });
    expect(out.name).toBe("ImportError");
    expect(String(out.message)).toMatch(/libc\.so\.6 \(.*(symbol|Symbol).*\)/);
  }, 30_000);

  test("the overrides load the named libraries", async () => {
    const out = await probe({
      BUN_SOCKET_LIBSSL: "libssl.so.3",
      BUN_SOCKET_LIBCRYPTO: "libcrypto.so.3",
    });
    expect(String(out.ssl)).toMatch(/^OpenSSL 3\./);
    expect(out.core).toBe(true);
  }, 30_000);
});
