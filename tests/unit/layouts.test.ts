// The struct layouts and constant tables of every OS, tested on any OS: the packers of src/platform are run
// with the macOS and Windows descriptors and compared with byte images worked out from those OSes' headers
// (xnu-11417.101.15 bsd/sys/socket.h, bsd/netinet/in.h, bsd/sys/un.h, bsd/sys/event.h, Libinfo-600 netdb.h;
// mingw-w64 v14.0.0 winsock2.h, ws2def.h, ws2ipdef.h, ws2tcpip.h, afunix.h). No macOS machine is available here:
// these images are the check that the darwin binding packs what the kernel expects.
import { describe, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import * as darwinK from "../../src/ffi/constants/darwin.ts";
import * as linuxK from "../../src/ffi/constants/linux.ts";
import * as win32K from "../../src/ffi/constants/win32.ts";
import { darwinFeatures, darwinLayout } from "../../src/ffi/darwin.ts";
import { linuxFeatures, linuxLayoutFor } from "../../src/ffi/linux.ts";
import type { Layout } from "../../src/ffi/types.ts";
import { win32Features, win32Layout } from "../../src/ffi/win32.ts";
import {
  cmsgLen,
  cmsgSpace,
  packCmsgs,
  parseCmsgs,
  writeMsghdr,
} from "../../src/platform/msg.ts";
import { readAddrinfo } from "../../src/platform/resolve.ts";
import { SockAddr, type SockAddrOS } from "../../src/platform/sockaddr.ts";

const linuxLayout = linuxLayoutFor("x64");
const OS: Record<"linux" | "darwin" | "win32", SockAddrOS> = {
  linux: {
    layout: linuxLayout,
    AF_INET: linuxK.socketConstants.AF_INET,
    AF_INET6: linuxK.socketConstants.AF_INET6,
    AF_UNIX: linuxK.socketConstants.AF_UNIX,
    abstractUnix: linuxFeatures.abstractUnix,
  },
  darwin: {
    layout: darwinLayout,
    AF_INET: darwinK.socketConstants.AF_INET,
    AF_INET6: darwinK.socketConstants.AF_INET6,
    AF_UNIX: darwinK.socketConstants.AF_UNIX,
    abstractUnix: darwinFeatures.abstractUnix,
  },
  win32: {
    layout: win32Layout,
    AF_INET: win32K.socketConstants.AF_INET,
    AF_INET6: win32K.socketConstants.AF_INET6,
    AF_UNIX: win32K.socketConstants.AF_UNIX,
    abstractUnix: win32Features.abstractUnix,
  },
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (...parts: (number | number[])[]): Uint8Array =>
  new Uint8Array(parts.flat());
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const le32 = (v: number): number[] => [
  v & 255,
  (v >>> 8) & 255,
  (v >>> 16) & 255,
  (v >>> 24) & 255,
];
const le64 = (v: number | bigint): number[] => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v), true);
  return [...out];
};
const le16 = (v: number): number[] => [v & 255, (v >>> 8) & 255];
const LOOP6 = [...zeros(15), 1];

describe("sockaddr packing per OS, against the headers' byte images", () => {
  test("sockaddr_in: macOS writes sin_len then a one-byte sin_family (bsd/netinet/in.h)", () => {
    const sa = new SockAddr(OS.darwin);
    expect(sa.packIn4([127, 0, 0, 1], 8080)).toBe(16);
    expect(hex(sa.bytes.subarray(0, 16))).toBe(
      hex(bytes(16, 2, 0x1f, 0x90, [127, 0, 0, 1], zeros(8))),
    );
    expect(sa.family()).toBe(2);
    expect(sa.port()).toBe(8080);
    expect([...sa.in4()]).toEqual([127, 0, 0, 1]);
  });

  test("sockaddr_in: Linux and Windows write a little-endian u16 family (ws2def.h SOCKADDR_IN)", () => {
    for (const os of [OS.linux, OS.win32]) {
      const sa = new SockAddr(os);
      expect(sa.packIn4([10, 1, 2, 3], 443)).toBe(16);
      expect(hex(sa.bytes.subarray(0, 16))).toBe(
        hex(bytes(2, 0, 0x01, 0xbb, [10, 1, 2, 3], zeros(8))),
      );
    }
  });

  test("sockaddr_in6: sin6_len 28, AF_INET6 30 on macOS; u16 AF_INET6 23 on Windows; flowinfo BE, scope_id host order", () => {
    const d = new SockAddr(OS.darwin);
    expect(d.packIn6(LOOP6, 8080, 0x12345, 3)).toBe(28);
    expect(hex(d.bytes.subarray(0, 28))).toBe(
      hex(bytes(28, 30, 0x1f, 0x90, [0, 1, 0x23, 0x45], LOOP6, le32(3))),
    );
    expect([d.family(), d.port(), d.flowinfo(), d.scopeId()]).toEqual([
      30, 8080, 0x12345, 3,
    ]);
    const w = new SockAddr(OS.win32);
    expect(w.packIn6(LOOP6, 8080, 0, 7)).toBe(28);
    expect(hex(w.bytes.subarray(0, 28))).toBe(
      hex(bytes(le16(23), 0x1f, 0x90, zeros(4), LOOP6, le32(7))),
    );
    expect(w.family()).toBe(23);
  });

  test("sockaddr_un: macOS has a 104-byte sun_path after sun_len and sun_family (bsd/sys/un.h)", () => {
    expect(darwinLayout.sunPathOffset).toBe(2);
    expect(darwinLayout.sunPathSize).toBe(104);
    const sa = new SockAddr(OS.darwin);
    const path = new TextEncoder().encode("/tmp/s");
    // As CPython: offsetof(sun_path) + path + the NUL.
    expect(sa.packUnix(path)).toBe(2 + 6 + 1);
    expect(sa.bytes[0]).toBe(106); // sun_len: the whole struct (the kernel sets the real length itself)
    expect(sa.bytes[1]).toBe(1); // AF_UNIX
    expect(hex(sa.bytes.subarray(2, 10))).toBe(hex(bytes([...path], 0, 0)));
    expect(new TextDecoder().decode(sa.unixPath())).toBe("/tmp/s\0");
    // The longest path that fits: 103 bytes and the NUL.
    const longest = new Uint8Array(103).fill(0x61);
    expect(sa.packUnix(longest)).toBe(106);
    // No abstract namespace: an empty path is not autobind (length counts the NUL).
    expect(sa.packUnix(new Uint8Array(0))).toBe(3);
  });

  test("sockaddr_un: Windows afunix.h is a u16 family and a 108-byte sun_path, as Linux", () => {
    expect([win32Layout.sunPathOffset, win32Layout.sunPathSize]).toEqual([
      2, 108,
    ]);
    expect(win32K.socketConstants.UNIX_PATH_MAX).toBe(108);
    const sa = new SockAddr(OS.win32);
    expect(sa.packUnix(new TextEncoder().encode("C:\\s"))).toBe(2 + 4 + 1);
    expect(hex(sa.bytes.subarray(0, 7))).toBe(
      hex(bytes(1, 0, [0x43, 0x3a, 0x5c, 0x73], 0)),
    );
  });

  test("a macOS kernel-written sockaddr_in (sin_len 16) unpacks to family, port and address", () => {
    const sa = new SockAddr(OS.darwin);
    sa.bytes.set(bytes(16, 2, 0x00, 0x50, [192, 168, 1, 2], zeros(8)));
    sa.lenBox[0] = 16;
    sa.takeLen();
    expect([sa.family(), sa.port(), [...sa.in4()]]).toEqual([
      2,
      80,
      [192, 168, 1, 2],
    ]);
  });
});

/** One addrinfo node laid out as `A`, in memory that stays put; returns the buffer (keep it referenced). */
function addrinfoNode(
  A: Layout["addrinfo"],
  f: {
    flags: number;
    family: number;
    socktype: number;
    protocol: number;
    addr: Uint8Array;
    canon: Uint8Array | null;
    next: number;
  },
): Uint8Array {
  const node = new Uint8Array(new ArrayBuffer(A.size));
  const v = new DataView(node.buffer);
  v.setInt32(A.flags, f.flags, true);
  v.setInt32(A.family, f.family, true);
  v.setInt32(A.socktype, f.socktype, true);
  v.setInt32(A.protocol, f.protocol, true);
  if (A.addrlenSize === 4) v.setUint32(A.addrlen, f.addr.length, true);
  else v.setBigUint64(A.addrlen, BigInt(f.addr.length), true);
  v.setBigUint64(A.addr, BigInt(ptr(f.addr)), true);
  v.setBigUint64(A.canonname, BigInt(f.canon ? ptr(f.canon) : 0), true);
  v.setBigUint64(A.next, BigInt(f.next), true);
  return node;
}

const stable = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
};

describe("struct addrinfo field order per OS", () => {
  test("offsets from the headers: canonname before addr on BSD and Windows, addr first on glibc; Windows' ai_addrlen is a size_t", () => {
    const pick = (A: Layout["addrinfo"]) => [
      A.size,
      A.addrlen,
      A.addrlenSize,
      A.canonname,
      A.addr,
      A.next,
    ];
    expect(pick(linuxLayout.addrinfo)).toEqual([48, 16, 4, 32, 24, 40]);
    expect(pick(darwinLayout.addrinfo)).toEqual([48, 16, 4, 24, 32, 40]);
    expect(pick(win32Layout.addrinfo)).toEqual([48, 16, 8, 24, 32, 40]);
  });

  for (const [os, layout] of [
    ["darwin", darwinLayout],
    ["win32", win32Layout],
  ] as const) {
    test(`readAddrinfo walks a two-node list laid out for ${os}`, () => {
      const sa1 = new SockAddr(OS[os]);
      sa1.packIn4([127, 0, 0, 1], 80);
      const a1 = stable(sa1.bytes.subarray(0, sa1.len));
      const sa2 = new SockAddr(OS[os]);
      sa2.packIn6(LOOP6, 80, 0, 0);
      const a2 = stable(sa2.bytes.subarray(0, sa2.len));
      const canon = stable(new TextEncoder().encode("localhost.example\0"));
      const second = addrinfoNode(layout.addrinfo, {
        flags: 0,
        family: OS[os].AF_INET6,
        socktype: 1,
        protocol: 6,
        addr: a2,
        canon: null,
        next: 0,
      });
      const first = addrinfoNode(layout.addrinfo, {
        flags: 2,
        family: OS[os].AF_INET,
        socktype: 1,
        protocol: 6,
        addr: a1,
        canon,
        next: ptr(second),
      });
      const list = readAddrinfo(ptr(first), layout.addrinfo);
      expect(list.map((e) => [e.family, e.socktype, e.protocol])).toEqual([
        [OS[os].AF_INET, 1, 6],
        [OS[os].AF_INET6, 1, 6],
      ]);
      expect(list[0]!.canonname).toBe("localhost.example");
      expect(list[1]!.canonname).toBe("");
      expect(hex(list[0]!.addr)).toBe(hex(a1));
      expect(hex(list[1]!.addr)).toBe(hex(a2));
      // Read with glibc's order, the BSD/Windows node swaps canonname and addr: the order matters.
      if (os === "darwin") {
        const wrong = readAddrinfo(ptr(second), linuxLayout.addrinfo);
        expect(wrong[0]!.addr.length).toBe(0); // ai_addr read from the NULL ai_canonname slot
      }
      expect(first.length + second.length + canon.length).toBeGreaterThan(0);
    });
  }
});

describe("msghdr and cmsghdr on macOS (bsd/sys/socket.h)", () => {
  test("msghdr: int msg_iovlen and socklen_t msg_controllen, 48 bytes", () => {
    const M = darwinLayout.msghdr;
    const out = new Uint8Array(M.size);
    writeMsghdr(
      new DataView(out.buffer),
      {
        name: 0x1111,
        namelen: 16,
        iov: 0x2222,
        iovlen: 3,
        control: 0x3333,
        controllen: 24,
      },
      M,
    );
    expect(hex(out)).toBe(
      hex(
        bytes(
          le64(0x1111),
          le32(16),
          zeros(4),
          le64(0x2222),
          le32(3),
          zeros(4),
          le64(0x3333),
          le32(24),
          le32(0), // msg_flags@44
        ),
      ),
    );
  });

  test("cmsghdr: u32 cmsg_len, data at 12, CMSG_ALIGN to 4: CMSG_LEN(4) 16, CMSG_SPACE(5) 20 (Linux: 20, 24)", () => {
    const CM = darwinLayout.cmsghdr;
    expect([cmsgLen(4, CM), cmsgSpace(4, CM), cmsgSpace(5, CM)]).toEqual([
      16, 16, 20,
    ]);
    expect([
      cmsgLen(4, linuxLayout.cmsghdr),
      cmsgSpace(4, linuxLayout.cmsghdr),
    ]).toEqual([20, 24]);
    const SOL_SOCKET = darwinK.socketConstants.SOL_SOCKET;
    const SCM_RIGHTS = darwinK.socketConstants.SCM_RIGHTS;
    const packed = packCmsgs(
      [
        [SOL_SOCKET, SCM_RIGHTS, bytes(le32(7))],
        [SOL_SOCKET, SCM_RIGHTS, bytes(le32(8), le32(9))],
      ],
      CM,
    )!;
    expect(hex(packed)).toBe(
      hex(
        bytes(
          le32(16),
          le32(0xffff),
          le32(1),
          le32(7),
          le32(20),
          le32(0xffff),
          le32(1),
          le32(8),
          le32(9),
        ),
      ),
    );
    const parsed = parseCmsgs(packed, packed.length, CM);
    expect(parsed.map(([l, t, d]) => [l, t, hex(d)])).toEqual([
      [0xffff, 1, hex(bytes(le32(7)))],
      [0xffff, 1, hex(bytes(le32(8), le32(9)))],
    ]);
  });
});

/** Writes a struct from a layout-descriptor map of `[offset, size, value]` fields. */
function pack(size: number, fields: [number, 2 | 4 | 8, number][]): string {
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  for (const [off, n, val] of fields) {
    if (n === 2) v.setInt16(off, val, true);
    else if (n === 4) v.setInt32(off, val, true);
    else v.setBigInt64(off, BigInt(val), true);
  }
  return hex(out);
}

describe("Winsock structs (winsock2.h)", () => {
  test("WSAPOLLFD is 16 bytes: SOCKET fd@0, SHORT events@8, SHORT revents@10", () => {
    const P = win32Layout.pollfd;
    const POLLRDNORM = win32K.socketConstants.POLLRDNORM;
    expect(
      pack(P.size, [
        [P.fd, P.fdSize, 0x1a4],
        [P.events, 2, POLLRDNORM],
        [P.revents, 2, 0],
      ]),
    ).toBe(hex(bytes(le64(0x1a4), le16(0x100), le16(0), zeros(4))));
  });

  test("fd_set: u_int fd_count, padding, then 8-byte SOCKETs from offset 8", () => {
    const F = win32Layout.fdSet!;
    expect(
      pack(8 + 16, [
        [F.count, 4, 2],
        [F.array, 8, 0x40],
        [F.array + 8, 8, 0x48],
      ]),
    ).toBe(hex(bytes(le32(2), zeros(4), le64(0x40), le64(0x48))));
    expect(win32K.socketConstants.FD_SETSIZE).toBe(64);
  });

  test("timeval is two 32-bit longs (8 bytes); macOS: 64-bit tv_sec, 32-bit tv_usec, padded to 16", () => {
    expect(win32Layout.timeval).toEqual({ size: 8, usecSize: 4 });
    expect(
      pack(8, [
        [0, 4, 1],
        [4, 4, 500_000],
      ]),
    ).toBe(hex(bytes(le32(1), le32(500_000))));
    expect(darwinLayout.timeval).toEqual({ size: 16, usecSize: 4 });
    expect(linuxLayout.timeval).toEqual({ size: 16, usecSize: 8 });
  });

  test("hostent has short h_addrtype/h_length; servent (_WIN64) has s_proto before a short s_port", () => {
    expect(win32Layout.hostent).toMatchObject({
      addrtype: 16,
      length: 18,
      addrList: 24,
      shortFields: true,
    });
    expect(win32Layout.servent).toEqual({
      size: 32,
      name: 0,
      aliases: 8,
      proto: 16,
      port: 24,
    });
    expect(win32Layout.protocolInfoSize).toBe(628);
  });
});

describe("kqueue struct kevent on macOS (bsd/sys/event.h, LP64)", () => {
  test("32 bytes: ident@0, i16 filter@8, u16 flags@10, u32 fflags@12, data@16, udata@24", () => {
    const KE = darwinLayout.kevent!;
    const S = darwinK.selectConstants;
    expect(
      pack(KE.size, [
        [KE.ident, 8, 5],
        [KE.filter, 2, S.KQ_FILTER_READ],
        [KE.flags, 2, S.KQ_EV_ADD | S.KQ_EV_ENABLE],
        [KE.fflags, 4, 0],
        [KE.data, 8, 0],
        [KE.udata, 8, 0],
      ]),
    ).toBe(
      hex(bytes(le64(5), 0xff, 0xff, le16(5), le32(0), zeros(8), zeros(8))),
    );
  });
});

describe("constant tables: the values of the published headers, the key names of Linux's table", () => {
  test("macOS (xnu bsd/sys/socket.h, errno.h, fcntl.h; Libinfo netdb.h)", () => {
    const K = darwinK.socketConstants;
    const E = darwinK.errnoConstants;
    expect({
      AF_INET6: K.AF_INET6,
      SOL_SOCKET: K.SOL_SOCKET,
      SO_REUSEADDR: K.SO_REUSEADDR,
      SO_REUSEPORT: K.SO_REUSEPORT,
      SO_ERROR: K.SO_ERROR,
      SO_RCVTIMEO: K.SO_RCVTIMEO,
      SO_NOSIGPIPE: K.SO_NOSIGPIPE,
      MSG_DONTWAIT: K.MSG_DONTWAIT,
      MSG_WAITALL: K.MSG_WAITALL,
      IPV6_V6ONLY: K.IPV6_V6ONLY,
      TCP_KEEPALIVE: K.TCP_KEEPALIVE,
      AI_NUMERICSERV: K.AI_NUMERICSERV,
      AI_ADDRCONFIG: K.AI_ADDRCONFIG,
      EAI_NONAME: K.EAI_NONAME,
      O_NONBLOCK: K.O_NONBLOCK,
      F_GETFL: K.F_GETFL,
      F_SETFL: K.F_SETFL,
      F_DUPFD_CLOEXEC: K.F_DUPFD_CLOEXEC,
      FD_CLOEXEC: K.FD_CLOEXEC,
      SOMAXCONN: K.SOMAXCONN,
    }).toEqual({
      AF_INET6: 30,
      SOL_SOCKET: 0xffff,
      SO_REUSEADDR: 4,
      SO_REUSEPORT: 0x200,
      SO_ERROR: 0x1007,
      SO_RCVTIMEO: 0x1006,
      SO_NOSIGPIPE: 0x1022,
      MSG_DONTWAIT: 0x80,
      MSG_WAITALL: 0x40,
      IPV6_V6ONLY: 27,
      TCP_KEEPALIVE: 0x10,
      AI_NUMERICSERV: 0x1000,
      AI_ADDRCONFIG: 0x400,
      EAI_NONAME: 8,
      O_NONBLOCK: 4,
      F_GETFL: 3,
      F_SETFL: 4,
      F_DUPFD_CLOEXEC: 67,
      FD_CLOEXEC: 1,
      SOMAXCONN: 128,
    });
    expect({
      EAGAIN: E.EAGAIN,
      EWOULDBLOCK: E.EWOULDBLOCK,
      EINPROGRESS: E.EINPROGRESS,
      ECONNREFUSED: E.ECONNREFUSED,
      ECONNRESET: E.ECONNRESET,
      ETIMEDOUT: E.ETIMEDOUT,
      EADDRINUSE: E.EADDRINUSE,
      ENOTSUP: E.ENOTSUP,
      EOPNOTSUPP: E.EOPNOTSUPP,
    }).toEqual({
      EAGAIN: 35,
      EWOULDBLOCK: 35,
      EINPROGRESS: 36,
      ECONNREFUSED: 61,
      ECONNRESET: 54,
      ETIMEDOUT: 60,
      EADDRINUSE: 48,
      ENOTSUP: 45,
      EOPNOTSUPP: 102,
    });
    expect(darwinK.selectConstants.KQ_FILTER_READ).toBe(-1);
    expect(darwinK.selectConstants.KQ_FILTER_WRITE).toBe(-2);
    expect(darwinK.selectConstants.POLLIN).toBe(1);
    expect(darwinK.selectConstants.PIPE_BUF).toBe(512);
    // No SOCK_NONBLOCK/SOCK_CLOEXEC in the BSD headers: the platform layer uses fcntl.
    expect("SOCK_NONBLOCK" in K).toBe(false);
    expect("SOCK_CLOEXEC" in K).toBe(false);
  });

  test("Windows (mingw-w64 winsock2.h, ws2tcpip.h; WSA codes where CPython's errno module uses them)", () => {
    const K = win32K.socketConstants;
    const E = win32K.errnoConstants;
    expect({
      AF_INET6: K.AF_INET6,
      AF_UNIX: K.AF_UNIX,
      SOL_SOCKET: K.SOL_SOCKET,
      SO_REUSEADDR: K.SO_REUSEADDR,
      SO_EXCLUSIVEADDRUSE: K.SO_EXCLUSIVEADDRUSE,
      SO_ERROR: K.SO_ERROR,
      SO_RCVTIMEO: K.SO_RCVTIMEO,
      SO_PROTOCOL_INFOW: K.SO_PROTOCOL_INFOW,
      IPV6_V6ONLY: K.IPV6_V6ONLY,
      MSG_WAITALL: K.MSG_WAITALL,
      SHUT_RDWR: K.SHUT_RDWR,
      SOMAXCONN: K.SOMAXCONN,
      FIONBIO: K.FIONBIO,
      POLLIN: K.POLLIN,
      POLLOUT: K.POLLOUT,
      AI_NUMERICSERV: K.AI_NUMERICSERV,
      EAI_NONAME: K.EAI_NONAME,
      EAI_AGAIN: K.EAI_AGAIN,
      WSA_FLAG_NO_HANDLE_INHERIT: K.WSA_FLAG_NO_HANDLE_INHERIT,
      EWOULDBLOCK: K.EWOULDBLOCK,
    }).toEqual({
      AF_INET6: 23,
      AF_UNIX: 1,
      SOL_SOCKET: 0xffff,
      SO_REUSEADDR: 4,
      SO_EXCLUSIVEADDRUSE: -5,
      SO_ERROR: 0x1007,
      SO_RCVTIMEO: 0x1006,
      SO_PROTOCOL_INFOW: 0x2005,
      IPV6_V6ONLY: 27,
      MSG_WAITALL: 8,
      SHUT_RDWR: 2,
      SOMAXCONN: 0x7fffffff,
      FIONBIO: 0x8004667e,
      POLLIN: 0x300,
      POLLOUT: 0x10,
      AI_NUMERICSERV: 8,
      EAI_NONAME: 11001,
      EAI_AGAIN: 11002,
      WSA_FLAG_NO_HANDLE_INHERIT: 0x80,
      EWOULDBLOCK: 10035,
    });
    // CPython's errnomodule.c on Windows: the VS2010 E* values are replaced by the WSA ones; the rest are the CRT's.
    expect({
      ECONNREFUSED: E.ECONNREFUSED,
      WSAECONNREFUSED: E.WSAECONNREFUSED,
      EWOULDBLOCK: E.EWOULDBLOCK,
      EINPROGRESS: E.EINPROGRESS,
      EALREADY: E.EALREADY,
      ETIMEDOUT: E.ETIMEDOUT,
      ECONNRESET: E.ECONNRESET,
      ECONNABORTED: E.ECONNABORTED,
      ESHUTDOWN: E.ESHUTDOWN,
      ENOTSOCK: E.ENOTSOCK,
      EADDRINUSE: E.EADDRINUSE,
      EAGAIN: E.EAGAIN,
      EINTR: E.EINTR,
      EBADF: E.EBADF,
      EINVAL: E.EINVAL,
      EPIPE: E.EPIPE,
      ENOSYS: E.ENOSYS,
    }).toEqual({
      ECONNREFUSED: 10061,
      WSAECONNREFUSED: 10061,
      EWOULDBLOCK: 10035,
      EINPROGRESS: 10036,
      EALREADY: 10037,
      ETIMEDOUT: 10060,
      ECONNRESET: 10054,
      ECONNABORTED: 10053,
      ESHUTDOWN: 10058,
      ENOTSOCK: 10038,
      EADDRINUSE: 10048,
      EAGAIN: 11,
      EINTR: 4,
      EBADF: 9,
      EINVAL: 22,
      EPIPE: 32,
      ENOSYS: 40,
    });
    expect("SO_REUSEPORT" in K).toBe(false);
    expect("EAI_SYSTEM" in K).toBe(false);
    expect("MSG_NOSIGNAL" in K).toBe(false);
  });

  test("every name the platform layer relies on is in all three tables", () => {
    const needed = [
      "AF_INET",
      "AF_INET6",
      "AF_UNIX",
      "AF_UNSPEC",
      "SOCK_STREAM",
      "SOCK_DGRAM",
      "SOL_SOCKET",
      "SO_ERROR",
      "SO_TYPE",
      "SO_REUSEADDR",
      "IPPROTO_IPV6",
      "IPV6_V6ONLY",
      "POLLIN",
      "POLLOUT",
      "POLLERR",
      "SOMAXCONN",
      "EAI_NONAME",
      "AI_NUMERICHOST",
    ];
    for (const table of [
      linuxK.socketConstants,
      darwinK.socketConstants,
      win32K.socketConstants,
    ])
      expect(needed.filter((n) => !(n in table))).toEqual([]);
    const errnos = [
      "EAGAIN",
      "EWOULDBLOCK",
      "EINTR",
      "EINPROGRESS",
      "EISCONN",
      "EBADF",
      "EINVAL",
      "ENOTSOCK",
      "ECONNRESET",
      "EAFNOSUPPORT",
      "ENOSYS",
      "ERANGE",
    ];
    for (const table of [
      linuxK.errnoConstants,
      darwinK.errnoConstants,
      win32K.errnoConstants,
    ])
      expect(errnos.filter((n) => !(n in table))).toEqual([]);
  });

  test("features: the named differences of each OS", () => {
    const pick = (f: typeof linuxFeatures) => [
      f.sockTypeFlags,
      f.msgNoSignal,
      f.soNoSigpipe,
      f.connectInProgress,
      f.closedSocket,
      f.winerror,
      f.socketpair,
      f.sendmsg,
      f.epoll,
      f.kqueue,
    ];
    expect(pick(linuxFeatures)).toEqual([
      true,
      true,
      false,
      "EINPROGRESS",
      "EBADF",
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(pick(darwinFeatures)).toEqual([
      false,
      false,
      true,
      "EINPROGRESS",
      "EBADF",
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(pick(win32Features)).toEqual([
      false,
      false,
      false,
      "EWOULDBLOCK",
      "ENOTSOCK",
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
