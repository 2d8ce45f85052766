/**
 * Writes a tiny Windows DLL whose exports are PE export *forwarders* to functions of other DLLs: no code,
 * no imports, no compiler needed. `scripts/test-windows.sh` uses it to give Wine < 8.13 the
 * `bcryptprimitives.dll` that Bun >= 1.4 imports (`ProcessPrng`), forwarded to
 * `advapi32.SystemFunction036` (RtlGenRandom), which Wine 8.0 has:
 *
 *   BOOL    ProcessPrng(PBYTE, SIZE_T)         what bun.exe calls
 *   BOOLEAN SystemFunction036(PVOID, ULONG)    what runs; both fill the buffer and return non-zero
 *
 * Usage: `bun scripts/make-forwarder-dll.ts OUT.dll [--machine x64|arm64]
 *         [--name bcryptprimitives.dll] [--export ProcessPrng=advapi32.SystemFunction036 ...]`
 * (the defaults make the bcryptprimitives stub). See ../shared/research/windows-wine.md §3.
 *
 * The image, from the PE/COFF specification ("Microsoft Portable Executable and Common Object File
 * Format", sections 3-6):
 * - 0x000 DOS header (64 bytes): "MZ", e_lfanew@0x3c = 0x40
 * - 0x040 "PE\0\0", COFF file header (20 bytes), PE32+ optional header (240 bytes: 112 fixed + 16 data
 *   directories of 8 bytes; directory 0 is the export table)
 * - 0x188 one section header (40 bytes), ".edata", read-only initialised data
 * - 0x200 the section: IMAGE_EXPORT_DIRECTORY (40 bytes), the export address table (u32 RVAs), the name
 *   pointer table (u32 RVAs, sorted by name), the ordinal table (u16), then the strings. An export address
 *   that points inside the export directory's range is a forwarder string "dll.function" (spec §6.3.2).
 * @module
 */
import { writeFileSync } from "node:fs";

/** One forwarded export: the name callers import, and `"dll.function"` it resolves to. */
export interface Forward {
  name: string;
  target: string;
}

const FILE_ALIGN = 0x200;
const SECTION_ALIGN = 0x1000;
const SECTION_RVA = 0x1000;
const HEADERS_SIZE = 0x200;
const MACHINES = { x64: 0x8664, arm64: 0xaa64 } as const;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Builds the DLL image: `dllName` exporting each of `forwards`. */
export function forwarderDll(
  dllName: string,
  forwards: readonly Forward[],
  machine: keyof typeof MACHINES = "x64",
): Uint8Array {
  const sorted = [...forwards].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const n = sorted.length;
  const enc = new TextEncoder();
  const z = (s: string): Uint8Array => enc.encode(s + "\0");

  // Section contents, as offsets from the section start.
  const eat = 40;
  const names = eat + 4 * n;
  const ords = names + 4 * n;
  let strings = ords + 2 * n;
  const strs: [offset: number, bytes: Uint8Array][] = [];
  const place = (s: string): number => {
    const b = z(s);
    strs.push([strings, b]);
    strings += b.length;
    return strings - b.length;
  };
  const dllNameOff = place(dllName);
  const nameOffs = sorted.map((f) => place(f.name));
  const targetOffs = sorted.map((f) => place(f.target));
  const dataLen = strings;
  const rawSize = align(dataLen, FILE_ALIGN);
  const imageSize = SECTION_RVA + align(dataLen, SECTION_ALIGN);

  const out = new Uint8Array(HEADERS_SIZE + rawSize);
  const v = new DataView(out.buffer);
  // DOS header.
  out[0] = 0x4d; // 'M'
  out[1] = 0x5a; // 'Z'
  v.setUint32(0x3c, 0x40, true);
  // PE signature and COFF header.
  let o = 0x40;
  out.set(enc.encode("PE\0\0"), o);
  o += 4;
  v.setUint16(o, MACHINES[machine], true); // Machine
  v.setUint16(o + 2, 1, true); // NumberOfSections
  // TimeDateStamp, PointerToSymbolTable, NumberOfSymbols: 0
  v.setUint16(o + 16, 240, true); // SizeOfOptionalHeader
  v.setUint16(o + 18, 0x2000 | 0x0020 | 0x0002, true); // DLL | LARGE_ADDRESS_AWARE | EXECUTABLE_IMAGE
  o += 20;
  // PE32+ optional header.
  const opt = o;
  v.setUint16(opt, 0x20b, true); // Magic: PE32+
  v.setUint32(opt + 8, rawSize, true); // SizeOfInitializedData
  // AddressOfEntryPoint 0: no DllMain.
  v.setUint32(opt + 20, SECTION_RVA, true); // BaseOfCode
  v.setBigUint64(opt + 24, 0x180000000n, true); // ImageBase
  v.setUint32(opt + 32, SECTION_ALIGN, true);
  v.setUint32(opt + 36, FILE_ALIGN, true);
  v.setUint16(opt + 40, 6, true); // MajorOperatingSystemVersion
  v.setUint16(opt + 48, 6, true); // MajorSubsystemVersion
  v.setUint32(opt + 56, imageSize, true); // SizeOfImage
  v.setUint32(opt + 60, HEADERS_SIZE, true); // SizeOfHeaders
  v.setUint16(opt + 68, 3, true); // Subsystem: WINDOWS_CUI
  v.setUint16(opt + 70, 0x0100, true); // DllCharacteristics: NX_COMPAT
  v.setBigUint64(opt + 72, 0x100000n, true); // SizeOfStackReserve
  v.setBigUint64(opt + 80, 0x1000n, true); // SizeOfStackCommit
  v.setBigUint64(opt + 88, 0x100000n, true); // SizeOfHeapReserve
  v.setBigUint64(opt + 96, 0x1000n, true); // SizeOfHeapCommit
  v.setUint32(opt + 108, 16, true); // NumberOfRvaAndSizes
  v.setUint32(opt + 112, SECTION_RVA, true); // export directory RVA...
  v.setUint32(opt + 116, dataLen, true); // ...and size: covers the forwarder strings
  o = opt + 240;
  // Section header.
  out.set(enc.encode(".edata"), o);
  v.setUint32(o + 8, dataLen, true); // VirtualSize
  v.setUint32(o + 12, SECTION_RVA, true); // VirtualAddress
  v.setUint32(o + 16, rawSize, true); // SizeOfRawData
  v.setUint32(o + 20, HEADERS_SIZE, true); // PointerToRawData
  v.setUint32(o + 36, 0x40000040, true); // INITIALIZED_DATA | MEM_READ

  // The export directory and its tables.
  const s = HEADERS_SIZE;
  const rva = (off: number): number => SECTION_RVA + off;
  v.setUint32(s + 12, rva(dllNameOff), true); // Name
  v.setUint32(s + 16, 1, true); // Base: first ordinal
  v.setUint32(s + 20, n, true); // NumberOfFunctions
  v.setUint32(s + 24, n, true); // NumberOfNames
  v.setUint32(s + 28, rva(eat), true); // AddressOfFunctions
  v.setUint32(s + 32, rva(names), true); // AddressOfNames
  v.setUint32(s + 36, rva(ords), true); // AddressOfNameOrdinals
  for (let i = 0; i < n; i++) {
    v.setUint32(s + eat + 4 * i, rva(targetOffs[i]!), true); // inside the directory: a forwarder
    v.setUint32(s + names + 4 * i, rva(nameOffs[i]!), true);
    v.setUint16(s + ords + 2 * i, i, true);
  }
  for (const [off, bytes] of strs) out.set(bytes, s + off);
  return out;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const outPath = args.find(
    (a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"),
  );
  if (!outPath) {
    console.error(
      "usage: bun scripts/make-forwarder-dll.ts OUT.dll [--machine x64|arm64] [--name NAME.dll] [--export NAME=dll.function ...]",
    );
    process.exit(2);
  }
  const opt = (flag: string): string[] =>
    args.flatMap((a, i) => (a === flag && args[i + 1] ? [args[i + 1]!] : []));
  const machine = (opt("--machine")[0] ?? "x64") as keyof typeof MACHINES;
  if (!(machine in MACHINES)) throw new Error(`unknown --machine ${machine}`);
  const exportsArg = opt("--export");
  const forwards: Forward[] = (
    exportsArg.length ? exportsArg : ["ProcessPrng=advapi32.SystemFunction036"]
  ).map((e) => {
    const [name, target] = e.split("=");
    if (!name || !target?.includes("."))
      throw new Error(`bad --export ${e} (want NAME=dll.function)`);
    return { name, target };
  });
  const image = forwarderDll(
    opt("--name")[0] ?? "bcryptprimitives.dll",
    forwards,
    machine,
  );
  writeFileSync(outPath, image);
  console.log(`wrote ${outPath} (${image.length} bytes)`);
}
