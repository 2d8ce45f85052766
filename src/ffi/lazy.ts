/** What loads on first use: `Sys` members from a second dlopen table, and modules behind `loadOnce`. */
import type { Sys } from "./types.ts";

/**
 * Completes `base` into a `Sys`: fills `sys[name]` for each of `names` with a stand-in that, on its first call, opens the table (`open()`),
 * puts the real functions in place of every stand-in still there, and makes the call. bun:ffi compiles a
 * trampoline per symbol at `dlopen`, so calls most programs never make (netdb, interfaces, epoll,
 * sendfile) stay off the start-up bill (bench E). A member a test has swapped in the meantime is kept.
 */
export function bindOnFirstCall<N extends keyof Sys>(
  base: Omit<Sys, N>,
  names: readonly N[],
  open: () => Pick<Sys, N>,
): Sys {
  const sys = base as Sys;
  const slots = sys as unknown as Record<N, unknown>;
  const stubs = new Map<N, unknown>();
  let real: Record<N, (...a: unknown[]) => unknown> | undefined;
  const load = (): Record<N, (...a: unknown[]) => unknown> => {
    real = open() as unknown as Record<N, (...a: unknown[]) => unknown>;
    for (const n of names) if (slots[n] === stubs.get(n)) slots[n] = real[n];
    return real;
  };
  for (const n of names) {
    // Calls the real function itself, never `sys[n]`: a test may have wrapped this very stand-in there.
    const stub = (...args: unknown[]): unknown => (real ?? load())[n](...args);
    stubs.set(n, stub);
    slots[n] = stub;
  }
  return sys;
}

/**
 * `load()` run on the first call only, its result returned ever after: for a module required on first use, so
 * that programs that never need it do not pay its start-up time (bench E). Write the `require` of a relative
 * `.ts` path literally inside `load`: scripts/build.ts finds those and points them at their files in dist/.
 */
export function loadOnce<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
