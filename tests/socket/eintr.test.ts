// EINTR during blocking waits (PEP 475 as CPython implements it in sock_call_ex): with a JS
// SIGUSR1 listener installed, every signal interrupts poll(); the library must retry with the
// time left, never raise InterruptedError, never time out early and never restart the clock.
// After test_socket.py InterruptedRecvTimeoutTest / InterruptedSendTimeoutTest and
// TCPTimeoutTest.testInterruptedTimeout; the signal source is CPython's `peer.py signals`.
//
// Each case runs in a child bun process (tests/socket/eintr.child.ts) under a kill timer, so a
// wait that never ends cannot hang the runner, and the signals never reach the runner itself.
import { afterEach, describe, expect, test } from "bun:test";
import {
  killAllPeers,
  lastJson,
  pythonExe,
  runChild,
} from "../helpers/peer.ts";
import {
  HAS_POSIX_SIGNALS,
  lacks,
  NO_POSIX_SIGNALS,
} from "../helpers/platform.ts";

afterEach(killAllPeers);

interface ChildReport {
  mode: string;
  seconds: number;
  signals: number;
  error: {
    name: string;
    errno: number | null;
    message: string;
    bytes_sent?: number;
  } | null;
  data: unknown;
}

async function runMode(mode: string): Promise<ChildReport> {
  const r = await runChild("tests/socket/eintr.child.ts", {
    args: [mode],
    timeoutMs: 10_000,
    env: { PYTHON: pythonExe() }, // resolved once here, not per child
  });
  if (r.timedOut || r.exitCode !== 0)
    throw new Error(
      `child ${mode}: exit ${r.exitCode}, signal ${r.signalCode}, timedOut ${r.timedOut}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  return lastJson<ChildReport>(r.stdout);
}

/** Our own deadline, reached on time despite ~200 signals: not early, not restarted. */
function expectTimedOutOnTime(r: ChildReport, t = 1.0): void {
  expect(r.error).toEqual({
    name: "TimeoutError",
    errno: null,
    message: "timed out",
    ...(r.error?.bytes_sent === undefined
      ? {}
      : { bytes_sent: r.error.bytes_sent }),
  });
  expect(r.seconds).toBeGreaterThanOrEqual(t);
  expect(r.seconds).toBeLessThan(t + 0.2);
  // Signals really arrived while we waited (one every 5 ms; some coalesce).
  expect(r.signals).toBeGreaterThan(50);
}

describe.skipIf(lacks(HAS_POSIX_SIGNALS, NO_POSIX_SIGNALS))(
  "signals during blocking calls (SIGUSR1 every 5 ms, JS listener installed)",
  () => {
    test("recv with settimeout(1.0) on a silent peer raises TimeoutError after 1.0-1.2 s, not InterruptedError (InterruptedRecvTimeoutTest)", async () => {
      expectTimedOutOnTime(await runMode("recv-timeout"));
    }, 15_000);

    test("a blocking recv (no timeout) gets the data a peer sends after 500 ms", async () => {
      const r = await runMode("recv-blocking-late");
      expect(r.error).toBeNull();
      expect(r.data).toBe("after 500 ms");
      expect(r.seconds).toBeGreaterThan(0.3);
      expect(r.signals).toBeGreaterThan(20);
    }, 15_000);

    test("a recv in timeout mode (5 s) gets the data a peer sends after 500 ms", async () => {
      const r = await runMode("recv-timeout-late");
      expect(r.error).toBeNull();
      expect(r.data).toBe("after 500 ms");
      expect(r.seconds).toBeGreaterThan(0.3);
      expect(r.seconds).toBeLessThan(2);
      expect(r.signals).toBeGreaterThan(20);
    }, 15_000);

    test("accept with settimeout(1.0) raises TimeoutError after 1.0-1.2 s (TCPTimeoutTest.testInterruptedTimeout)", async () => {
      expectTimedOutOnTime(await runMode("accept-timeout"));
    }, 15_000);

    test("connect with settimeout(1.0) to a full backlog raises TimeoutError after 1.0-1.2 s", async () => {
      expectTimedOutOnTime(await runMode("connect-timeout"));
    }, 15_000);

    test("sendall with settimeout(1.0) to a peer that never reads raises TimeoutError after 1.0-1.2 s, bytes_sent > 0 (InterruptedSendTimeoutTest)", async () => {
      const r = await runMode("sendall-timeout");
      expectTimedOutOnTime(r);
      expect(r.error?.bytes_sent).toBeGreaterThan(0);
    }, 15_000);
  },
);
