import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { Sha256, sha256, sha256Hex, toHex } from './sha256.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const nodeHex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextU32() & 0xff;
  return out;
}

describe('sha256', () => {
  it('matches the FIPS 180-4 known vectors', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(enc('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('matches node:crypto at every length around the block and padding boundaries', () => {
    const buf = randomBytes(300, 7);
    for (let n = 0; n <= 300; n++) expect(sha256Hex(buf.subarray(0, n)), `length ${n}`).toBe(nodeHex(buf.subarray(0, n)));
  });

  it('matches node:crypto on a 1 MB random buffer and on an unaligned view', () => {
    const buf = randomBytes(1 << 20, 11);
    expect(sha256Hex(buf)).toBe(nodeHex(buf));
    const view = buf.subarray(3, 3 + 100_003);
    expect(sha256Hex(view)).toBe(nodeHex(view));
  });

  it('returns 32 bytes whose hex is toHex', () => {
    const d = sha256(enc('abc'));
    expect(d.length).toBe(32);
    expect(d[0]).toBe(0xba);
    expect(toHex(new Uint8Array([0, 15, 16, 255]))).toBe('000f10ff');
  });
});

describe('Sha256 (incremental)', () => {
  it('gives the one-shot digest for every split of the input into three chunks', () => {
    const buf = randomBytes(200, 3);
    const want = nodeHex(buf);
    for (const a of [0, 1, 55, 63, 64, 65, 100]) {
      for (const b of [a, a + 1, a + 64, 150, 200]) {
        if (b < a || b > 200) continue;
        const h = new Sha256().update(buf.subarray(0, a)).update(buf.subarray(a, b)).update(buf.subarray(b));
        expect(toHex(h.digest()), `split ${a}/${b}`).toBe(want);
      }
    }
  });

  it('refuses use after digest', () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/already/);
    expect(() => h.digest()).toThrow(/already/);
  });
});
