/**
 * bun-socket/ssl side of the TLS benchmark (bench/tls/run.ts): one process per run.
 *
 *   bun bench/tls/impl.ts client download --port P [--http PATH] --cafile F   read to EOF, print {"bytes","secs","rate"}
 *   bun bench/tls/impl.ts client upload --port P --bytes N --cafile F          send N bytes, wait for the sink's ack
 *   bun bench/tls/impl.ts client handshakes --port P --secs S --cafile F       new TCP + full handshake + close, repeatedly
 *   bun bench/tls/impl.ts server sink|source|handshake --cert C --key K [--bytes N]   prints READY <port>, serves forever
 *
 * `--warmup` runs the same work untimed first (clients): `--warmup-http PATH` for download, `--warmup-bytes N` for
 * upload, `--warmup-ops N` for handshakes, so JIT compilation is not part of the timed run (both sides get it).
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

if (role === "client") {
  const ctx = clientCtx();
  const port = Number(opt("port"));
  const warmHttp = opt("warmup-http", "");
  const warmBytes = Number(opt("warmup-bytes", "0"));
  const warmOps = Number(opt("warmup-ops", "0"));
  if (mode === "download") {
    if (warmHttp) {
      const w = connect(ctx, port);
      w.sendall(`GET ${warmHttp} HTTP/1.0\r\n\r\n`);
      const b = new Uint8Array(new ArrayBuffer(CHUNK));
      while (w.recv_into(b) > 0);
      w.close();
    }
    const s = connect(ctx, port);
    const path = opt("http", "");
    if (path) s.sendall(`GET ${path} HTTP/1.0\r\n\r\n`);
    const buf = new Uint8Array(new ArrayBuffer(CHUNK));
    let n = 0;
    const c0 = cpuNow();
    const t0 = performance.now();
    for (;;) {
      const k = s.recv_into(buf);
      if (k === 0) break;
      n += k;
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    s.close();
    console.log(JSON.stringify({ bytes: n, secs, rate: n / secs, cpu }));
  } else if (mode === "upload") {
    const total = Number(opt("bytes"));
    const chunk = Buffer.from(new ArrayBuffer(CHUNK)).fill(0x62);
    if (warmBytes > 0) {
      const w = connect(ctx, port);
      for (let sent = 0; sent < warmBytes; sent += CHUNK) w.sendall(chunk);
      w.close(); // the sink sees an EOF before its byte count and drops the connection
    }
    const s = connect(ctx, port);
    const c0 = cpuNow();
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += CHUNK)
      s.sendall(
        sent + CHUNK <= total ? chunk : chunk.subarray(0, total - sent),
      );
    const ack = s.recv(64).toString();
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    s.close();
    if (Number(ack) !== total)
      throw new Error(`sink counted ${ack}, sent ${total}`);
    console.log(
      JSON.stringify({ bytes: total, secs, rate: total / secs, cpu }),
    );
  } else if (mode === "handshakes") {
    const secs = Number(opt("secs"));
    for (let i = 0; i < warmOps; i++) connect(ctx, port).close();
    let ops = 0;
    const c0 = cpuNow();
    const t0 = performance.now();
    const end = t0 + secs * 1000;
    while (performance.now() < end) {
      connect(ctx, port).close();
      ops++;
    }
    const dt = (performance.now() - t0) / 1000;
    const cpu = cpuNow() - c0;
    console.log(JSON.stringify({ ops, secs: dt, rate: ops / dt, cpu }));
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
