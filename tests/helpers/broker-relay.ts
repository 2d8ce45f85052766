/**
 * Runs one Linux command through the process broker (`tests/peers/broker.py`) and behaves like it: the
 * command's stdout and stderr come out on this process's, and this process exits with its exit status
 * (128 + signal number when a signal ended it). Closing this process (or killing it) kills the command.
 *
 * Used by `tests/helpers/peer.ts` under Wine, where bun.exe cannot read a Linux child's output or exit
 * status itself: `bun.exe tests/helpers/broker-relay.ts @python peer.py echo ...` is started like any
 * Windows program, so `Bun.spawn` returns at once and the peer keeps running while a test blocks.
 *
 * Usage: `bun tests/helpers/broker-relay.ts ARGV...` with BUN_SOCKET_PEER_BROKER=host:port set;
 * `@python` as ARGV[0] means the broker's Python.
 * @module
 */
import { constants } from "node:os";

const address = process.env.BUN_SOCKET_PEER_BROKER;
if (!address) {
  console.error("broker-relay: BUN_SOCKET_PEER_BROKER is not set");
  process.exit(2);
}
const [hostname, port] = address.split(":");
const argv = process.argv.slice(2);
let buf = Buffer.alloc(0);
const signals = constants.signals as Record<string, number>;

await Bun.connect({
  hostname: hostname ?? "127.0.0.1",
  port: Number(port),
  socket: {
    open(s) {
      s.write(JSON.stringify({ argv, cwd: process.cwd() }) + "\n");
    },
    data(_s, chunk) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
      while (buf.length >= 5) {
        const len = buf.readUInt32BE(1);
        if (buf.length < 5 + len) break;
        const kind = String.fromCharCode(buf[0]!);
        const payload = buf.subarray(5, 5 + len);
        buf = buf.subarray(5 + len);
        if (kind === "O") process.stdout.write(payload);
        else if (kind === "E") process.stderr.write(payload);
        else if (kind === "X") {
          const { code, signal } = JSON.parse(payload.toString()) as {
            code: number | null;
            signal: string | null;
          };
          const rc = code ?? 128 + (signal ? (signals[signal] ?? 9) : 9);
          // Let the pipes drain before leaving.
          process.stdout.write("", () => process.exit(rc));
        }
      }
    },
    close() {
      process.exit(255);
    },
    error(_s, e) {
      console.error(`broker-relay: ${String(e)}`);
      process.exit(255);
    },
    connectError(_s, e) {
      console.error(
        `broker-relay: cannot reach the broker at ${address}: ${String(e)}`,
      );
      process.exit(255);
    },
  },
});
