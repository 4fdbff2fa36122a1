/** Number formats shared by the CLI's text and pictures: counts with commas, bytes in B/KiB/MiB/GiB. */

/** 1234567 → "1,234,567" (CPython's debugmallocstats uses the same grouping). */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** 1000000 → "1_000_000", as Python source writes it. */
export function pythonInt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** The binary unit a byte count reads best in: 1023 → B, 1024 → KiB, 3 MiB → MiB. */
export function byteUnit(bytes: number): { readonly name: string; readonly size: number } {
  let i = 0;
  while (i < UNITS.length - 1 && Math.abs(bytes) >= 1024 ** (i + 1)) i++;
  return { name: UNITS[i]!, size: 1024 ** i };
}

/** 33554432 → "32 MiB", 614010 → "599.6 KiB"; under 1 KiB exact: "512 B". */
export function humanBytes(bytes: number): string {
  const unit = byteUnit(bytes);
  const value = bytes / unit.size;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit.name}`;
}

/** 33554432 → "33,554,432 B (32.0 MiB)"; small values only exact. */
export function bytesWithHuman(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${count(bytes)} B (${humanBytes(bytes)})`;
}
