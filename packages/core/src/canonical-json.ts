/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, numbers and strings as
 * `JSON.stringify` writes them. Two JSON values that parse to the same data have the same canonical
 * text, so a hash of it ignores formatting (indentation, key order, `1e-5` vs `0.00001`) and
 * catches every change of content.
 *
 * @module
 */

/**
 * The canonical JSON text of a JSON value (plain objects, arrays, strings, finite numbers,
 * booleans, null). Throws a TypeError on anything JSON cannot represent exactly (undefined,
 * functions, non-finite numbers, bigint), instead of silently dropping or nulling it.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, '$');
  return out.join('');
}

function write(v: unknown, out: string[], at: string): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') {
    out.push(JSON.stringify(v));
    return;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${at} is ${v}, which JSON cannot represent`);
    out.push(JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      write(x, out, `${at}[${i}]`);
    });
    out.push(']');
    return;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write((v as Record<string, unknown>)[k], out, `${at}.${k}`);
    });
    out.push('}');
    return;
  }
  throw new TypeError(`canonicalJson: ${at} is a ${typeof v}, which JSON cannot represent`);
}
