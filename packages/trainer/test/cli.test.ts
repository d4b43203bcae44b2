import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';

function io(isTTY = false) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s), isTTY }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}

describe('interpret-fr-train main()', () => {
  it('--help prints the usage and exits 0', async () => {
    const c = io();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/--preset NAME\s+base \| sad \| sad-fad \| tiny/);
    expect(c.out()).toMatch(/--resume/);
  });
  it('usage and config errors exit 2 with the reason', async () => {
    let c = io();
    expect(await main(['--bogus'], c.io)).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--bogus'/);
    c = io();
    expect(await main(['--preset', 'tiny', '--set', 'loss.nope=1'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown config key "loss\.nope"/);
    c = io();
    expect(await main(['--preset', 'tiny', '--steps', 'many'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^--steps: expected an integer/);
    c = io();
    expect(await main(['--resume'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--resume needs --out/);
  });
  it('a data error exits 1 naming the file and line; JSON lines on a non-TTY', async () => {
    const dir = join(tmpdir(), `interpret-fr-cli-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'list.txt'), 'a.png,0\nb.png,x\n');
    const c = io();
    expect(await main(['--preset', 'tiny', '--backend', 'cpu', '--data', join(dir, 'list.txt'), '--out', join(dir, 'run')], c.io)).toBe(1);
    expect(c.err()).toMatch(/list\.txt:2: label "x" is not an integer/);
    const first = JSON.parse(c.out().split('\n')[0]!) as { type: string; name: string };
    expect([first.type, first.name]).toEqual(['backend', 'cpu']);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')).data.source).toBe(join(dir, 'list.txt'));
  });
});
