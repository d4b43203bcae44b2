import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';

function io(isTTY = false) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY } },
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
    expect(c.err()).toBe('interpret-fr-train: unknown option --bogus (see interpret-fr-train --help)\n');
    c = io();
    expect(await main(['--preset', 'tiny', '--step', '3'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown option --step; did you mean --steps\?/);
    c = io();
    expect(await main(['--preset', 'tiny', '--set', 'loss.nope=1'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown config key "loss\.nope"/);
    c = io();
    expect(await main(['--preset', 'tiny', '--steps', 'many'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^interpret-fr-train: --steps: expected an integer/);
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
    const lines = c.err().trim().split('\n');
    expect(lines.at(-1)).toMatch(/^interpret-fr-train: [^ ]*list\.txt:2: label "x" is not an integer/);
    const first = JSON.parse(lines[0]!) as { type: string; name: string };
    expect([first.type, first.name]).toEqual(['backend', 'cpu']);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')).data.source).toBe(join(dir, 'list.txt'));
  });
});
