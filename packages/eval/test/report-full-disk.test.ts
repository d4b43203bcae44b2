/** Reports on a full disk: the write fails naming the file (ENOSPC) and leaves no temp files behind. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/write.ts';

const root = mkdtempSync(join(tmpdir(), 'ifr-eval-full-'));
let mounted = false;
afterAll(() => {
  if (mounted) spawnSync('umount', [join(root, 'disk')]);
  rmSync(root, { recursive: true, force: true });
});

describe('writeReport on a full disk', () => {
  it('fails with ENOSPC naming the file; no *.tmp-* files are left (tmpfs of 64 KiB; root only)', async (ctx) => {
    const disk = join(root, 'disk');
    mkdirSync(disk);
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]).status === 0;
    if (!mounted) return ctx.skip();
    const out = join(disk, 'eval');
    const svg = `<svg>${'x'.repeat(200_000)}</svg>`;
    await expect(writeReport(out, { ok: true }, '# report\n', { 'roc.svg': svg })).rejects.toThrow(
      new RegExp(`^${join(out, 'roc.svg')}: cannot write \\d+ bytes: no space left on device \\(ENOSPC\\)$`),
    );
    const all = readdirSync(out);
    expect(all.filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(all.sort()).toEqual(['report.json', 'report.md']);
  });
});
