/**
 * A TCP port scanner on `connect_ex`: one socket per port, a timeout per port, and the errno that
 * `connect_ex` returns (instead of raising) says what the port is.
 *
 *   bun examples/scan.ts [--timeout S] [--all] HOST PORTS
 *
 *   PORTS        a list of ports and ranges: 22,80,8000-8100
 *   --timeout S  seconds to wait for each port (default 0.5)
 *   --all        print closed ports too (default: only open and filtered ones)
 *
 * One line per port, nmap-style: `8080/tcp open`, `81/tcp closed` (the host answered with a reset:
 * ECONNREFUSED) or `82/tcp filtered` (no answer within the timeout: `connect_ex` returns EAGAIN, as
 * CPython's does), then a summary line. Exit status 0, or 2 on bad arguments or a host that does not
 * resolve.
 *
 * The Python original is the classic:
 *
 *     for port in ports:
 *         with socket.socket(family, socket.SOCK_STREAM) as s:
 *             s.settimeout(timeout)
 *             err = s.connect_ex((addr, port))
 *
 * @example
 * ```sh
 * bun examples/scan.ts --timeout 0.2 127.0.0.1 1-1024
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.socket.connect_ex
 */
import * as socket from "bun-socket";
import * as errno from "bun-socket/errno";

/** Parses `22,80,8000-8100` into a list of ports, in order, without repeats. */
export function parsePorts(spec: string): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null)
      throw new RangeError(`bad port list item ${JSON.stringify(part)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || lo > hi)
      throw new RangeError(`bad port range ${JSON.stringify(part)}`);
    for (let p = lo; p <= hi; p++)
      if (!seen.has(p)) {
        seen.add(p);
        out.push(p);
      }
  }
  return out;
}

/** What one port is, from the errno `connect_ex` returned. */
export type State = "open" | "closed" | "filtered" | "unreachable";

/** Connects to one port with a timeout and classifies the result. */
export function probe(
  family: number,
  addr: socket.Address,
  timeout: number,
): { state: State; err: number } {
  using s = socket.socket(family, socket.SOCK_STREAM);
  s.settimeout(timeout);
  const err = s.connect_ex(addr); // 0, or the errno connect() would have raised
  if (err === 0) return { state: "open", err };
  if (err === errno.ECONNREFUSED) return { state: "closed", err };
  // Timeout mode: no answer in time is EAGAIN (CPython's connect_ex returns EWOULDBLOCK the same way).
  if (err === errno.EAGAIN || err === errno.ETIMEDOUT)
    return { state: "filtered", err };
  return { state: "unreachable", err }; // EHOSTUNREACH, ENETUNREACH, ...
}

function main(argv: string[]): number {
  let timeout = 0.5;
  let all = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--timeout") timeout = Number(argv[++i]);
    else if (a === "--all") all = true;
    else rest.push(a);
  }
  const [host, spec] = rest;
  if (host === undefined || spec === undefined || !(timeout > 0)) {
    process.stderr.write(
      "usage: bun examples/scan.ts [--timeout S] [--all] HOST PORTS\n",
    );
    return 2;
  }
  let ports: number[];
  let family: number;
  let sa: socket.Address;
  try {
    ports = parsePorts(spec);
    // Resolve once: the first address for the host, scanned on every port.
    const first = socket.getaddrinfo(host, null, 0, socket.SOCK_STREAM)[0]!;
    family = first[0];
    sa = first[4];
  } catch (e) {
    process.stderr.write(`scan: ${(e as Error).message}\n`);
    return 2;
  }
  const ip = (sa as [string, number])[0];
  console.log(
    `Scanning ${host} (${ip}), ${ports.length} port(s), timeout ${timeout} s`,
  );
  const t0 = performance.now();
  const counts: Record<State, number> = {
    open: 0,
    closed: 0,
    filtered: 0,
    unreachable: 0,
  };
  for (const port of ports) {
    // Same address, another port: [ip, port] or, for IPv6, [ip, port, flowinfo, scope_id].
    const addr = (sa as unknown[]).with(1, port) as socket.Address;
    const { state, err } = probe(family, addr, timeout);
    counts[state]++;
    if (state === "unreachable")
      console.log(`${port}/tcp unreachable (${errno.errorcode[err] ?? err})`);
    else if (state !== "closed" || all) console.log(`${port}/tcp ${state}`);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  console.log(
    `Done: ${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered` +
      (counts.unreachable ? `, ${counts.unreachable} unreachable` : "") +
      ` in ${secs} s`,
  );
  return 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
