/**
 * Bun's own networking side of the benchmarks (`Bun.listen`, `Bun.connect`, `Bun.udpSocket`):
 * the same programs as bench/c/*.c, written the idiomatic, event-driven Bun way.
 *
 *   bun bench/impl/bun.ts <mode> <args...>
 *
 * Modes: pp-server, pp-client (A), bulk-send (B), conn-server, conn-client (C), udp-server,
 * udp-client (D). Servers print "READY <port>" first; every client ends with one JSON line.
 * Bun sets TCP_NODELAY on every TCP socket; `bulk-send ... delay` turns it off (`setNoDelay(false)`), to check
 * that this option is what sets Bun's sender apart in B (bench/where-the-time-goes.md).
 */
import type { Socket } from "bun";

const HOST = "127.0.0.1";
const [mode = "", ...rest] = process.argv.slice(2);
const num = (i: number): number => Number(rest[i]);
const now = (): number => Bun.nanoseconds() / 1e9;
const out = (o: object): void => {
  process.stdout.write(JSON.stringify(o) + "\n");
};
const ready = (port: number): void => {
  process.stdout.write(`READY ${port}\n`);
};
const fail = (e: unknown): never => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
};

interface Rate {
  ops: number;
  secs: number;
  rate: number;
}

/** Counts `op` completions: warm-up first, then the timed span; calls `done` when it is over. */
function meter(
  warmup: number,
  secs: number,
  done: (r: Rate) => void,
): () => boolean {
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

/** Writes all of `data`, keeping what the kernel did not take for the next `drain`. */
class Writer {
  #pending: Uint8Array[] = [];
  constructor(readonly sock: Socket<undefined>) {}
  write(data: Uint8Array): boolean {
    if (this.#pending.length) {
      this.#pending.push(Buffer.from(data));
      return false;
    }
    const n = this.sock.write(data);
    if (n < 0) fail(new Error("write on a closed socket"));
    if (n === data.length) return true;
    this.#pending.push(Buffer.from(data.subarray(n)));
    return false;
  }
  /** Call from `drain`: true once everything queued went. */
  flush(): boolean {
    while (this.#pending.length) {
      const d = this.#pending[0]!;
      const n = this.sock.write(d);
      if (n < 0) fail(new Error("write on a closed socket"));
      if (n < d.length) {
        this.#pending[0] = d.subarray(n);
        return false;
      }
      this.#pending.shift();
    }
    return true;
  }
}

switch (mode) {
  case "pp-server": {
    const writers = new WeakMap<Socket<undefined>, Writer>();
    const srv = Bun.listen({
      hostname: HOST,
      port: num(0),
      socket: {
        open(s) {
          s.setNoDelay(true);
          writers.set(s, new Writer(s));
        },
        data(s, d) {
          // The buffer is only valid during this callback: copy what has to wait for a drain.
          const w = writers.get(s)!;
          if (!w.write(d)) w.flush();
        },
        drain(s) {
          writers.get(s)!.flush();
        },
        end() {
          process.exit(0);
        },
        close() {
          process.exit(0);
        },
      },
    });
    ready(srv.port);
    break;
  }
  case "pp-client": {
    const size = num(1);
    const msg = Buffer.alloc(size, "x");
    let got = 0;
    let w: Writer;
    const tick = meter(num(2), num(3), (r) => {
      out(r);
      process.exit(0);
    });
    await Bun.connect({
      hostname: HOST,
      port: num(0),
      socket: {
        open(s) {
          s.setNoDelay(true);
          w = new Writer(s);
          w.write(msg);
        },
        data(_s, d) {
          got += d.length;
          if (got < size) return;
          got -= size;
          if (tick()) w.write(msg);
        },
        drain() {
          w.flush();
        },
        error(_s, e) {
          fail(e);
        },
        connectError(_s, e) {
          fail(e);
        },
      },
    });
    break;
  }
  case "bulk-send": {
    const total = num(1);
    const chunk = num(2);
    const buf = Buffer.alloc(chunk, "x");
    let left = total;
    let t0 = 0;
    let off = 0; // bytes of the current chunk already written
    const pump = (s: Socket<undefined>): void => {
      while (left > 0) {
        const n = Math.min(left, chunk);
        const w = s.write(buf, off, n - off);
        if (w < 0) fail(new Error("write on a closed socket"));
        off += w;
        if (off < n) return; // wait for drain
        off = 0;
        left -= n;
      }
      s.shutdown();
    };
    await Bun.connect({
      hostname: HOST,
      port: num(0),
      socket: {
        open(s) {
          if (rest[3] === "delay") s.setNoDelay(false);
          t0 = now();
          pump(s);
        },
        drain(s) {
          pump(s);
        },
        data() {
          const secs = now() - t0;
          out({ bytes: total, secs, rate: total / secs });
          process.exit(0);
        },
        error(_s, e) {
          fail(e);
        },
        connectError(_s, e) {
          fail(e);
        },
      },
    });
    break;
  }
  case "conn-server": {
    const srv = Bun.listen({
      hostname: HOST,
      port: num(0),
      socket: {
        open(s) {
          s.end();
        },
        data() {},
      },
    });
    ready(srv.port);
    break;
  }
  case "conn-client": {
    const port = num(0);
    const tick = meter(num(1), num(2), (r) => {
      out(r);
      process.exit(0);
    });
    const one = (): void => {
      Bun.connect({
        hostname: HOST,
        port,
        socket: {
          data() {},
          end(s) {
            s.end();
          },
          close() {
            if (tick()) one();
          },
          error(_s, e) {
            fail(e);
          },
          connectError(_s, e) {
            fail(e);
          },
        },
      }).catch(fail);
    };
    one();
    break;
  }
  case "udp-server": {
    const s = await Bun.udpSocket({
      hostname: HOST,
      port: num(0),
      socket: {
        data(sock, d, port, addr) {
          sock.send(d, port, addr);
        },
      },
    });
    ready(s.port);
    break;
  }
  case "udp-client": {
    const port = num(0);
    const msg = Buffer.alloc(num(1), "x");
    const tick = meter(num(2), num(3), (r) => {
      out(r);
      process.exit(0);
    });
    const s = await Bun.udpSocket({
      hostname: HOST,
      port: 0,
      socket: {
        data(sock) {
          if (tick()) sock.send(msg, port, HOST);
        },
      },
    });
    s.send(msg, port, HOST);
    break;
  }
  default:
    process.stderr.write(`unknown mode ${JSON.stringify(mode)}\n`);
    process.exit(64);
}
