// Bad input, fuzzed: tests/reliability/fuzz.child.ts makes at least 100,000 calls of public
// functions and methods with hostile arguments (fast-check), in a child process under a kill
// timer: a crash (signal), a hang (kill timer) or an error of the wrong class fails the test,
// and every failing case is printed with the seed and index that replay it:
//   bun tests/reliability/fuzz.child.ts --seed SEED --only INDEX --trace
import { afterEach, expect, test } from "bun:test";
import { killAllPeers, lastJson, runChild } from "../helpers/peer.ts";

afterEach(killAllPeers);

interface FuzzReport {
  calls: number;
  seed: number;
  outcomes: Record<string, number>;
  engineTypeErrors: number;
  slowest: { ms: number; path: string };
  failures: { seed: number; index: number; path: string; error: string }[];
}

const CALLS = Number(process.env.BUN_SOCKET_FUZZ_CALLS || 100_000);

test(`${CALLS} fuzzed calls: no crash, no hang, only TypeError/RangeError/OSError-family errors`, async () => {
  const seed = Number(process.env.BUN_SOCKET_FUZZ_SEED || Date.now() % 1e9);
  const r = await runChild("tests/reliability/fuzz.child.ts", {
    args: ["--calls", String(CALLS), "--seed", String(seed)],
    timeoutMs: 80_000,
  });
  const where = `fuzz seed ${seed}: exit ${r.exitCode}, signal ${r.signalCode}, timedOut ${r.timedOut}\nstderr: ${r.stderr.slice(-4000)}`;
  if (r.timedOut || r.exitCode !== 0) throw new Error(where);
  const rep = lastJson<FuzzReport>(r.stdout);
  console.log(
    `fuzz: ${rep.calls} calls, seed ${rep.seed}, outcomes ${JSON.stringify(rep.outcomes)}, slowest ${rep.slowest.ms.toFixed(0)} ms (${rep.slowest.path})`,
  );
  expect(rep.failures).toEqual([]);
  expect(rep.calls).toBeGreaterThanOrEqual(CALLS);
  // Every TypeError carries our (CPython-worded) message, none the JS engine's "x is not a function".
  expect(rep.engineTypeErrors).toBe(0);
  // Our ValueError/OverflowError are RangeErrors under their own names: a plain RangeError is Node's or the engine's.
  expect(rep.outcomes.RangeError ?? 0).toBe(0);
}, 90_000);
