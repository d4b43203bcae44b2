import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checksums, sha256Files } from '../src/report/write.ts';

const dir = mkdtempSync(join(tmpdir(), 'ifr-sums-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

describe('input checksums (report "data")', () => {
  // 9 MiB (above the off-thread threshold, more than one 1 MiB read, not a multiple of it), a small file, an empty one.
  const big = new Uint8Array((9 << 20) + 12345);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(dir, 'big.bin'), big);
  writeFileSync(join(dir, 'small.txt'), 'a b 1\n');
  mkdirSync(join(dir, 'meta', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'meta', 'x.txt'), 'x');
  writeFileSync(join(dir, 'meta', 'sub', 'y.txt'), '');

  it('sha256Files: on a worker thread and in this thread, the digests of node:crypto, in order', async () => {
    const files = [join(dir, 'big.bin'), join(dir, 'small.txt'), join(dir, 'meta', 'sub', 'y.txt')];
    const want = [hex(big), hex('a b 1\n'), hex('')];
    expect(await sha256Files(files, 1 << 30)).toEqual(want); // off-thread
    expect(await sha256Files(files, 0)).toEqual(want); // here
  });

  it('sha256Files: a missing file rejects with its error, off-thread and here', async () => {
    const files = [join(dir, 'small.txt'), join(dir, 'nope.bin')];
    for (const bytes of [1 << 30, 0]) await expect(sha256Files(files, bytes)).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringContaining('nope.bin') });
  });

  it('checksums: files and folders (relative names, sorted, each name with its digest), in the order given', async () => {
    const r = await checksums({ features: join(dir, 'big.bin'), meta: join(dir, 'meta'), ids: join(dir, 'small.txt') });
    expect(Object.keys(r)).toEqual(['features', 'meta', 'ids']);
    expect(r.features).toEqual({ path: join(dir, 'big.bin'), sha256: hex(big), bytes: big.length });
    expect(r.ids).toEqual({ path: join(dir, 'small.txt'), sha256: hex('a b 1\n'), bytes: 6 });
    // readdir lists 'sub' too (3 names); only the two files are hashed.
    const folder = hex(`sub/y.txt\0${hex('')}\nx.txt\0${hex('x')}\n`);
    expect(r.meta).toEqual({ path: join(dir, 'meta'), sha256: folder, files: 3 });
  });
});
