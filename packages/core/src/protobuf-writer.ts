/**
 * Protobuf wire-format writing: the few pieces hand-built ONNX bytes need (the metadata entries of
 * the integrity seal, test and benchmark models). The reader is `onnx-reader.ts`.
 *
 * @module
 */

/** `n` (a non-negative integer < 2⁵³) as a base-128 varint. */
export function pbVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Field `field` with wire type 2 (length-delimited: bytes, string, sub-message). */
export function pbBytesField(field: number, payload: ArrayLike<number>): number[] {
  return [...pbVarint(field * 8 + 2), ...pbVarint(payload.length), ...Array.from(payload)];
}

/** Field `field` with wire type 0 (varint). */
export function pbVarintField(field: number, value: number): number[] {
  return [...pbVarint(field * 8), ...pbVarint(value)];
}
