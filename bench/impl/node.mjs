/**
 * The Node.js side of the benchmarks (`net`, `dgram`): the same programs as bench/c/*.c, written
 * the idiomatic, event-driven Node way.
 *
 *   node bench/impl/node.mjs <mode> <args...>
 *
 * Modes: pp-server, pp-client (A), bulk-send (B), conn-server, conn-client (C), udp-server,
 * udp-client (D). Servers print "READY <port>" first; every client ends with one JSON line.
 */
import dgram from "node:dgram";
import net from "node:net";

const HOST = "127.0.0.1";
const [mode = "", ...rest] = process.argv.slice(2);
const num = (i) => Number(rest[i]);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const ready = (port) => process.stdout.write(`READY ${port}\n`);
const fail = (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
};

/** Counts `op` completions: warm-up first, then the timed span; calls `done` when it is over. */
function meter(warmup, secs, done) {
  let phase = 0;
  let end = now() + warmup;
  let ops = 0;
  let t0 = 0;
  return () => {
    const t = now();
    if (phase === 1) ops++;
    if (t < end) return true;
    if (phase === 0) {
      phase = 1;
      t0 = t;
      end = t + secs;
      return true;
    }
    done({ ops, secs: t - t0, rate: ops / (t - t0) });
    return false;
  };
}

switch (mode) {
  case "pp-server": {
    const srv = net.createServer((c) => {
      c.setNoDelay(true);
      c.on("data", (d) => c.write(d));
      c.on("end", () => process.exit(0));
    });
    srv.listen(num(0), HOST, () => ready(srv.address().port));
    break;
  }
  case "pp-client": {
    const size = num(1);
    const msg = Buffer.alloc(size, "x");
    const s = net.connect(num(0), HOST);
    s.setNoDelay(true);
    const tick = meter(num(2), num(3), (r) => {
      out(r);
      s.destroy();
    });
    let got = 0;
    s.on("connect", () => s.write(msg));
    s.on("data", (d) => {
      got += d.length;
      if (got < size) return;
      got -= size;
      if (tick()) s.write(msg);
    });
    s.on("error", fail);
    break;
  }
  case "bulk-send": {
    const total = num(1);
    const chunk = num(2);
    const buf = Buffer.alloc(chunk, "x");
    const s = net.connect(num(0), HOST);
    let left = total;
    let t0 = 0;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk);
        left -= n;
        if (!s.write(n === chunk ? buf : buf.subarray(0, n))) {
          s.once("drain", pump);
          return;
        }
      }
      s.end();
    };
    s.on("connect", () => {
      t0 = now();
      pump();
    });
    s.on("data", () => {
      const secs = now() - t0;
      out({ bytes: total, secs, rate: total / secs });
      s.destroy();
    });
    s.on("error", fail);
    break;
  }
  case "conn-server": {
    const srv = net.createServer((c) => c.destroy());
    srv.listen({ port: num(0), host: HOST, backlog: 1024 }, () =>
      ready(srv.address().port),
    );
    break;
  }
  case "conn-client": {
    const port = num(0);
    const tick = meter(num(1), num(2), out);
    const one = () => {
      const s = net.connect(port, HOST);
      s.on("data", () => {});
      s.on("error", fail);
      s.on("close", () => {
        if (tick()) one();
      });
    };
    one();
    break;
  }
  case "udp-server": {
    const s = dgram.createSocket("udp4");
    s.on("message", (m, r) => s.send(m, r.port, r.address));
    s.bind(num(0), HOST, () => ready(s.address().port));
    break;
  }
  case "udp-client": {
    const port = num(0);
    const msg = Buffer.alloc(num(1), "x");
    const s = dgram.createSocket("udp4");
    const tick = meter(num(2), num(3), (r) => {
      out(r);
      s.close();
    });
    s.on("message", () => {
      if (tick()) s.send(msg, port, HOST);
    });
    s.on("error", fail);
    s.send(msg, port, HOST);
    break;
  }
  default:
    process.stderr.write(`unknown mode ${JSON.stringify(mode)}\n`);
    process.exit(64);
}
