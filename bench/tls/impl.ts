/**
 * bun-socket/ssl side of the TLS benchmark (bench/tls/run.ts): one process per run.
 *
 *   bun bench/tls/impl.ts client download --port P [--http PATH] --cafile F   read to EOF, print {"bytes","secs","rate"}
 *   bun bench/tls/impl.ts client upload --port P --bytes N --cafile F          send N bytes, wait for the sink's ack
 *   bun bench/tls/impl.ts client handshakes --port P --secs S --cafile F       new TCP + full handshake + close, repeatedly
 *   bun bench/tls/impl.ts server sink|source|handshake --cert C --key K [--bytes N]   prints READY <port>, serves forever
 *
 * The clients can run the same work untimed first: `--warmup-http PATH` for download (or, with `--warmup-secs`
 * alone, the same download as the timed part), `--warmup-bytes N` for upload, `--warmup-ops N` for handshakes,
 * repeated until `--warmup-secs S` have passed (default 0: once), so JIT compilation is not part of the timed
 * run (both sides get it; the warm-up and the timed part run the same functions).
 *
 * Rates: bytes per second for bulk runs (timed from the end of the handshake), operations per second otherwise.
 * `cpu`: seconds of this process's CPU time (all threads, user + system) during the timed part only.
 */
import * as socket from "../../src/index.ts";
import * as ssl from "../../src/ssl.ts";

const args = process.argv.slice(2);
const opt = (name: string, dflt?: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]!;
  if (dflt !== undefined) return dflt;
  throw new Error(`missing --${name}`);
};
const [role, mode] = args;
const CHUNK = 65536;
/** Process CPU seconds so far (getrusage: all threads, user + system). */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function clientCtx(): ssl.SSLContext {
  return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {
    cafile: opt("cafile"),
  });
}
function connect(ctx: ssl.SSLContext, port: number): ssl.SSLSocket {
  const s = socket.socket();
  s.settimeout(30);
  s.connect(["127.0.0.1", port]);
  return ctx.wrap_socket(s, { server_hostname: "localhost" });
}

/** Reads `s` to EOF into `buf`; the byte count. The warm-up and the timed part both run it (JIT). */
function drain(s: ssl.SSLSocket, buf: Uint8Array): number {
  let n = 0;
  for (;;) {
    const k = s.recv_into(buf);
    if (k === 0) return n;
    n += k;
  }
}
/** Sends `total` bytes of `chunk` (repeated) on `s`. */
function pump(s: ssl.SSLSocket, chunk: Buffer, total: number): void {
  for (let sent = 0; sent < total; sent += CHUNK)
    s.sendall(sent + CHUNK <= total ? chunk : chunk.subarray(0, total - sent));
}
/** New TCP connections with a full handshake, closed, until `end` (performance.now()) or `max`; the count. */
function handshakes(
  ctx: ssl.SSLContext,
  port: number,
  end: number,
  max: number,
): number {
  let ops = 0;
  while (ops < max && performance.now() < end) {
    connect(ctx, port).close();
    ops++;
  }
  return ops;
}

if (role === "client") {
  const ctx = clientCtx();
  const port = Number(opt("port"));
  const warmHttp = opt("warmup-http", "");
  const warmBytes = Number(opt("warmup-bytes", "0"));
  const warmOps = Number(opt("warmup-ops", "0"));
  const warmUntil = performance.now() + Number(opt("warmup-secs", "0")) * 1000;
  /** Whether to run the warm-up work (again): the first time, then until --warmup-secs have passed. */
  let warmRuns = 0;
  /** Bytes or handshakes done in the warm-up (the server rows count the server's CPU over both parts). */
  let warm = 0;
  const warmAgain = (): boolean =>
    warmRuns++ === 0 || performance.now() < warmUntil;
  if (mode === "download") {
    const buf = new Uint8Array(new ArrayBuffer(CHUNK));
    while ((warmHttp || warmUntil > performance.now()) && warmAgain()) {
      const w = connect(ctx, port);
      if (warmHttp) w.sendall(`GET ${warmHttp} HTTP/1.0\r\n\r\n`);
      warm += drain(w, buf);
      w.close();
    }
    const s = connect(ctx, port);
    const path = opt("http", "");
    if (path) s.sendall(`GET ${path} HTTP/1.0\r\n\r\n`);
    const c0 = cpuNow();
    const t0 = performance.now();
    const n = drain(s, buf);
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    s.close();
    console.log(JSON.stringify({ bytes: n, secs, rate: n / secs, cpu, warm }));
  } else if (mode === "upload") {
    const total = Number(opt("bytes"));
    const chunk = Buffer.from(new ArrayBuffer(CHUNK)).fill(0x62);
    while (warmBytes > 0 && warmAgain()) {
      const w = connect(ctx, port);
      pump(w, chunk, warmBytes);
      warm += warmBytes;
      w.close(); // the sink sees an EOF before its byte count and drops the connection
    }
    const s = connect(ctx, port);
    const c0 = cpuNow();
    const t0 = performance.now();
    pump(s, chunk, total);
    const ack = s.recv(64).toString();
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    s.close();
    if (Number(ack) !== total)
      throw new Error(`sink counted ${ack}, sent ${total}`);
    console.log(
      JSON.stringify({ bytes: total, secs, rate: total / secs, cpu, warm }),
    );
  } else if (mode === "handshakes") {
    const secs = Number(opt("secs"));
    while (warmOps > 0 && warmAgain()) handshakes(ctx, port, Infinity, warmOps);
    const c0 = cpuNow();
    const t0 = performance.now();
    const ops = handshakes(ctx, port, t0 + secs * 1000, Infinity);
    const dt = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    console.log(JSON.stringify({ ops, secs: dt, rate: ops / dt, cpu, warm }));
  } else throw new Error(`unknown client mode ${mode}`);
} else if (role === "server") {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(opt("cert"), opt("key"));
  const total = Number(opt("bytes", "0"));
  const l = socket.socket();
  l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  l.bind(["127.0.0.1", 0]);
  l.listen(128);
  console.log(`READY ${(l.getsockname() as [string, number])[1]}`);
  const buf = new Uint8Array(new ArrayBuffer(CHUNK));
  const chunk = Buffer.from(new ArrayBuffer(CHUNK)).fill(0x61);
  for (;;) {
    const [conn] = l.accept();
    conn.settimeout(30);
    try {
      const s = ctx.wrap_socket(conn, { server_side: true });
      if (mode === "sink") {
        let n = 0;
        while (n < total) {
          const k = s.recv_into(buf);
          if (k === 0) break;
          n += k;
        }
        s.sendall(String(n));
      } else if (mode === "source") {
        for (let sent = 0; sent < total; sent += CHUNK)
          s.sendall(
            sent + CHUNK <= total ? chunk : chunk.subarray(0, total - sent),
          );
      }
      s.close();
    } catch {
      conn.close(); // a client that went away (e.g. the readiness probe)
    }
  }
} else throw new Error("usage: impl.ts client|server MODE ...");
