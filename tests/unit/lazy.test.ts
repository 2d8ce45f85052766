// bindOnFirstCall: Sys members whose dlopen table opens on the first call (src/ffi/lazy.ts).
import { describe, expect, test } from "bun:test";
import { bindOnFirstCall } from "../../src/ffi/lazy.ts";
import type { Sys } from "../../src/ffi/types.ts";

type Pair = Pick<Sys, "lseek" | "gethostname">;

function fixture() {
  let opened = 0;
  const lseek = (fd: number, off: number, whence: number) => fd + off + whence;
  const gethostname = () => 7;
  const sys = bindOnFirstCall(
    {} as Omit<Sys, "lseek" | "gethostname">,
    ["lseek", "gethostname"] as const,
    (): Pair => {
      opened++;
      return { lseek, gethostname } as unknown as Pair;
    },
  );
  return { sys, lseek, gethostname, opened: () => opened };
}

describe("bindOnFirstCall", () => {
  test("opens nothing until a member is called, then once, and puts every real function in place", () => {
    const f = fixture();
    expect(f.opened()).toBe(0);
    expect(f.sys.lseek).not.toBe(f.lseek);
    expect(f.sys.lseek(1, 2, 3)).toBe(6);
    expect(f.opened()).toBe(1);
    expect(f.sys.lseek).toBe(f.lseek);
    expect(f.sys.gethostname).toBe(
      f.gethostname as unknown as Sys["gethostname"],
    );
    expect(f.sys.lseek(10, 0, 0)).toBe(10);
    expect(f.opened()).toBe(1);
  });

  test("a member swapped before the first call is kept, and a wrapper around a stand-in does not recurse", () => {
    const f = fixture();
    const stub = f.sys.lseek;
    let wrapped = 0;
    f.sys.lseek = (fd, off, whence) => {
      wrapped++;
      return stub(fd, off, whence);
    };
    expect(f.sys.lseek(1, 1, 1)).toBe(3);
    expect(wrapped).toBe(1);
    expect(f.opened()).toBe(1);
    expect(f.sys.lseek).not.toBe(f.lseek); // the wrapper stays
    expect(f.sys.gethostname).toBe(
      f.gethostname as unknown as Sys["gethostname"],
    );
  });
});
