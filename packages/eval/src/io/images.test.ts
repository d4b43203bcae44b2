import { describe, expect, it } from 'vitest';
import { decodePgm } from './images.ts';

describe('PGM decoding', () => {
  it('reads P5 with a comment, rejects other magics and short data', () => {
    const head = new TextEncoder().encode('P5\n# made by hand\n3 2\n255\n');
    const px = decodePgm(Uint8Array.from([...head, 1, 2, 3, 4, 5, 6]), 'a.pgm');
    expect([px.width, px.height, px.channels, Array.from(px.data)]).toEqual([3, 2, 1, [1, 2, 3, 4, 5, 6]]);
    expect(() => decodePgm(Uint8Array.from([...new TextEncoder().encode('P2\n1 1\n255\n'), 0]), 'b.pgm')).toThrow(/b\.pgm: PGM magic 'P2'/);
    expect(() => decodePgm(Uint8Array.from([...head, 1, 2]), 'c.pgm')).toThrow(/c\.pgm: PGM has 2 data bytes, 3×2 needs 6/);
  });
});
