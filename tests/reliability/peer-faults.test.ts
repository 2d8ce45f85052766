// Peer faults: a reset in the middle of sendall, half-close, a peer killed with SIGKILL, and a
// datagram larger than the buffer. Peers are tests/peers/peer.py processes.
import { afterEach, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { killAllPeers, startPeer } from "../helpers/peer.ts";
import { recvUntilEof } from "../helpers/sockets.ts";

afterEach(killAllPeers);

const open: socket.socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function track<T extends socket.socket>(s: T): T {
  open.push(s);
  return s;
}

test("RST in the middle of sendall: ConnectionResetError or BrokenPipeError, with bytes_sent", async () => {
  const peer = await startPeer(["rst", "--wait-data"]);
  const c = track(socket.socket());
  c.settimeout(5);
  c.connect(["127.0.0.1", peer.port]);
  let err: socket.OSError | null = null;
  try {
    for (let i = 0; i < 200; i++) c.sendall(Buffer.alloc(1 << 20, 0x5a));
  } catch (e) {
    err = e as socket.OSError;
  }
  expect(
    err instanceof socket.ConnectionResetError ||
      err instanceof socket.BrokenPipeError,
  ).toBe(true);
  const sent = (err as unknown as { bytes_sent?: number }).bytes_sent;
  expect(typeof sent).toBe("number");
  expect(sent).toBeGreaterThanOrEqual(0);
  expect(sent).toBeLessThanOrEqual(1 << 20);
}, 15_000);

test("half-close: after shutdown(SHUT_WR) the echo peer still sends everything back, then EOF", async () => {
  const peer = await startPeer(["echo", "--once"]);
  const c = track(socket.socket());
  c.settimeout(5);
  c.connect(["127.0.0.1", peer.port]);
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
  c.sendall(data);
  c.shutdown(socket.SHUT_WR);
  expect(recvUntilEof(c).equals(data)).toBe(true);
  expect(c.recv(10).length).toBe(0); // EOF stays EOF
}, 15_000);

test("a peer killed with SIGKILL: recv sees EOF (the kernel closes its sockets), send then fails", async () => {
  const peer = await startPeer(["hold"]);
  const c = track(socket.socket());
  c.settimeout(5);
  c.connect(["127.0.0.1", peer.port]);
  c.sendall(Buffer.from("hello"));
  peer.kill("SIGKILL");
  await peer.exited;
  // hold never read "hello": unread data makes the kernel send RST; either EOF or reset is the OS's answer
  let got: Buffer | null = null;
  let err: unknown = null;
  try {
    got = c.recv(10);
  } catch (e) {
    err = e;
  }
  if (err === null) expect(got!.length).toBe(0);
  else expect(err).toBeInstanceOf(socket.ConnectionResetError);
  let sendErr: unknown = null;
  try {
    for (let i = 0; i < 10; i++) c.sendall(Buffer.alloc(65536));
  } catch (e) {
    sendErr = e;
  }
  expect(sendErr).toBeInstanceOf(socket.ConnectionError);
}, 15_000);

test("a datagram larger than the buffer: truncated as the OS does, MSG_TRUNC in recvmsg flags", () => {
  const a = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  const b = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  b.bind(["127.0.0.1", 0]);
  b.settimeout(5);
  const addr = b.getsockname() as [string, number];
  const dgram = Buffer.alloc(1000);
  for (let i = 0; i < dgram.length; i++) dgram[i] = i % 256;
  a.sendto(dgram, addr);
  expect(b.recv(100).equals(dgram.subarray(0, 100))).toBe(true);
  a.sendto(dgram, addr);
  const [data, , flags] = b.recvmsg(10);
  expect(data.equals(dgram.subarray(0, 10))).toBe(true);
  expect(flags & socket.MSG_TRUNC).toBe(socket.MSG_TRUNC);
  a.sendto(dgram, addr);
  const into = Buffer.alloc(50);
  const [n, , flags2] = b.recvmsg_into([into]);
  expect(n).toBe(50);
  expect(flags2 & socket.MSG_TRUNC).toBe(socket.MSG_TRUNC);
  // the rest of each datagram is gone: the next datagram starts fresh
  a.sendto(Buffer.from("next"), addr);
  expect(b.recv(100).toString()).toBe("next");
});

test("a closed socket object never reaches the descriptor number the OS reuses", () => {
  const old = socket.socket();
  const fd = old.fileno();
  old.close();
  const fresh = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  expect(fresh.fileno()).toBe(fd); // the lowest free number comes back
  expect(() => old.getsockname()).toThrow(socket.OSError);
  let err: socket.OSError | null = null;
  try {
    old.send(Buffer.from("x"));
  } catch (e) {
    err = e as socket.OSError;
  }
  expect(err).toBeInstanceOf(socket.OSError);
  expect(err!.errno).toBe(9); // EBADF, never a send on the new socket
  expect(fresh.type).toBe(socket.SOCK_DGRAM);
  expect(fresh.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
    socket.SOCK_DGRAM,
  );
});

test("close/dup/fromfd of a number beyond C int is EBADF, never a truncated fd (2**40 is not fd 0)", () => {
  const s = track(socket.socket());
  for (const fd of [2 ** 40, 2 ** 32 + s.fileno(), -(2 ** 40)]) {
    for (const f of [
      () => socket.close(fd),
      () => socket.dup(fd),
      () => socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM),
    ]) {
      let err: socket.OSError | null = null;
      try {
        f();
      } catch (e) {
        err = e as socket.OSError;
      }
      expect(err).toBeInstanceOf(socket.OSError);
      expect(err!.errno).toBe(9);
    }
  }
  expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
    socket.SOCK_STREAM,
  );
});
