// The README's demo: runs examples/echo-server.ts (a port of the Python socket docs' echo server)
// as a child process and talks to it with an in-process echo client, printing both sides.
//
// Usage: bun examples/demo.ts     (exits 0 when every message came back unchanged)
//
// Bounded in time: the child has a kill timer, waiting for its "Listening on" line has a
// deadline, and the client socket has a timeout (our calls block this thread, so a JS timer
// cannot interrupt them; the socket timeout does).
import { resolve } from "node:path";
import * as socket from "../src/index.ts";

const SERVER = resolve(import.meta.dir, "echo-server.ts");
const CHILD_LIMIT_MS = 15_000; // kill timer of the server process
const READY_LIMIT_MS = 5_000; // wait this long for its "Listening on <port>" line
const SOCKET_TIMEOUT = 5; // seconds, for every call of the client socket

/** Python's `repr()` of bytes, e.g. `b'Hello, world'`, beyond 48 bytes only its first 16. */
function repr(data: Uint8Array): string {
  const head = data.length > 48 ? data.subarray(0, 16) : data;
  const q = head.includes(0x27) && !head.includes(0x22) ? 0x22 : 0x27;
  let out = "";
  for (const c of head) {
    if (c === q || c === 0x5c) out += "\\" + String.fromCharCode(c);
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f)
      out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  const quote = String.fromCharCode(q);
  const more = data.length > head.length ? `... (${data.length} bytes)` : "";
  return "b" + quote + out + quote + more;
}

/** Reads a child's stdout line by line, each line at most once. */
class LineReader {
  #reader: {
    read(): Promise<{ done: true } | { done: false; value: Uint8Array }>;
  };
  #decoder = new TextDecoder();
  #buf = "";
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next line, or null at end of stream or when `ms` pass first. */
  async next(ms: number): Promise<string | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      if (this.#done) {
        const rest = this.#buf;
        this.#buf = "";
        return rest === "" ? null : rest;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((res) => {
        timer = setTimeout(() => res("timeout"), left);
      });
      const r = await Promise.race([this.#reader.read(), timeout]);
      clearTimeout(timer);
      if (r === "timeout") return null;
      if (r.done) this.#done = true;
      else this.#buf += this.#decoder.decode(r.value, { stream: true });
    }
  }
}

const messages: [label: string, data: Uint8Array][] = [
  ["text", Buffer.from("Hello, world")],
  ["UTF-8 text", Buffer.from("¡Hola, mundo! Grüße, 世界 🌍")],
  ["binary", Uint8Array.of(0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x0a)],
  [
    "binary, 64 KiB",
    Uint8Array.from({ length: 65536 }, (_, i) => (i * 31 + 7) & 0xff),
  ],
];

/** Sends each message and reads back exactly as many bytes; returns how many came back unchanged. */
function runClient(port: number): number {
  let ok = 0;
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.settimeout(SOCKET_TIMEOUT);
  s.connect(["127.0.0.1", port]);
  console.log("client: connected from", s.getsockname(), "to", s.getpeername());
  for (const [label, data] of messages) {
    s.sendall(data);
    const chunks: Buffer[] = [];
    let got = 0;
    while (got < data.length) {
      const chunk = s.recv(65536);
      if (chunk.length === 0) break; // the server closed early
      chunks.push(chunk);
      got += chunk.length;
    }
    const echo = Buffer.concat(chunks);
    const same = echo.equals(data);
    if (same) ok++;
    console.log(`client: sent ${label}: ${repr(data)}`);
    console.log(
      `client: received ${repr(echo)} in ${chunks.length} recv() call(s)${same ? "" : "  <-- MISMATCH"}`,
    );
  }
  s.shutdown(socket.SHUT_WR); // the server's recv() returns b'' and it closes its side
  const tail = s.recv(1024);
  console.log(
    `client: server closed the connection (recv returned ${repr(tail)})`,
  );
  return ok;
}

async function main(): Promise<number> {
  console.log(
    "demo: starting `bun examples/echo-server.ts 0` as a child process",
  );
  const proc = Bun.spawn({
    cmd: [process.execPath, SERVER, "0"],
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
    timeout: CHILD_LIMIT_MS,
    killSignal: "SIGKILL",
  });
  const lines = new LineReader(proc.stdout);
  try {
    const first = await lines.next(READY_LIMIT_MS);
    const m = first === null ? null : /^Listening on (\d+)$/.exec(first);
    if (first === null || m === null) {
      console.log(`demo: no "Listening on <port>" line from the server`);
      return 1;
    }
    console.log(`server| ${first}`);
    const ok = runClient(Number(m[1]));
    for (;;) {
      const line = await lines.next(READY_LIMIT_MS);
      if (line === null) break;
      console.log(`server| ${line}`);
    }
    const code = await proc.exited;
    console.log(`demo: server exited with code ${code}`);
    console.log(`demo: ${ok} of ${messages.length} messages echoed unchanged`);
    return ok === messages.length && code === 0 ? 0 : 1;
  } catch (e) {
    console.log(
      `demo: ${e instanceof socket.error ? "socket error" : "error"}: ${e}`,
    );
    return 1;
  } finally {
    proc.kill("SIGKILL"); // no-op once it exited
  }
}

process.exit(await main());
