import { describe, expect, it } from 'vitest';
import { InterpretFrError } from '../errors.ts';
import {
  choiceOption,
  createProgressReporter,
  defineCli,
  didYouMean,
  editDistance,
  helpText,
  intOption,
  parseCli,
  parseScriptArgs,
  reportError,
  runCli,
  type CliIo,
} from './cli.ts';

function capture(tty = false): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: tty } },
    out: () => out,
    err: () => err,
  };
}

const SPEC = defineCli({
  name: 'interpret-fr-x',
  summary: 'does x',
  usage: '<in> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', arg: 'FILE', description: 'where to write\n(required)' },
    opset: { type: 'string', arg: 'N', description: 'ONNX opset' },
    maps: { type: 'boolean', description: 'also maps' },
    model: { type: 'string', multiple: true, arg: 'FILE', description: 'repeatable' },
  },
  epilog: 'Writes FILE.',
});

describe('editDistance / didYouMean', () => {
  it('computes Levenshtein distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('opset', 'opset')).toBe(0);
    expect(editDistance('ouptut', 'output')).toBe(1); // a transposition counts 1
    expect(editDistance('ca', 'abc')).toBe(3);
  });
  it('suggests the closest candidate only when close', () => {
    expect(didYouMean('ouptut', ['output', 'opset', 'maps'])).toBe('output');
    expect(didYouMean('mpas', ['output', 'opset', 'maps'])).toBe('maps');
    expect(didYouMean('zzzzzz', ['output', 'opset', 'maps'])).toBeUndefined();
    expect(didYouMean('out', ['output', 'opset'])).toBe('output');
  });
});

describe('parseCli', () => {
  it('returns typed values and positionals; drops a leading --', () => {
    const r = parseCli(SPEC, ['--', 'run', '-o', 'm.onnx', '--maps', '--model', 'a', '--model', 'b']);
    expect(r.positionals).toEqual(['run']);
    expect(r.values.output).toBe('m.onnx');
    expect(r.values.maps).toBe(true);
    expect(r.values.model).toEqual(['a', 'b']);
    expect(r.values.opset).toBeUndefined();
  });
  it('unknown option: usage error with did-you-mean', () => {
    expect(() => parseCli(SPEC, ['x', '--ouptut', 'y'])).toThrow('unknown option --ouptut; did you mean --output?');
    expect(() => parseCli(SPEC, ['x', '--frobnicate'])).toThrow(/^unknown option --frobnicate$/);
    expect(() => parseCli(SPEC, ['x', '-z'])).toThrow('unknown option -z');
    try {
      parseCli(SPEC, ['--bogus']);
    } catch (e) {
      expect((e as InterpretFrError).code).toBe('usage');
    }
  });
  it('missing values, extra and missing positionals are usage errors', () => {
    expect(() => parseCli(SPEC, ['x', '--output'])).toThrow("option '-o, --output <value>' argument missing");
    expect(() => parseCli(SPEC, ['x', '--maps=1'])).toThrow("option '--maps' does not take an argument");
    expect(() => parseCli(SPEC, ['x', 'y'])).toThrow('unexpected argument "y"');
    expect(() => parseCli(SPEC, [])).toThrow('expected 1 argument, got 0');
    expect(parseCli(SPEC, ['--help']).values.help).toBe(true);
  });
});

describe('helpText', () => {
  it('is generated from the option table, aligned, with --debug and --help', () => {
    const h = helpText(SPEC);
    expect(h).toBe(
      [
        'interpret-fr-x: does x',
        '',
        'Usage: interpret-fr-x <in> [options]',
        '',
        'Options:',
        '  -o, --output FILE  where to write',
        '                     (required)',
        '      --opset N      ONNX opset',
        '      --maps         also maps',
        '      --model FILE   repeatable',
        '      --debug        print stack traces of errors',
        '  -h, --help         this text',
        '',
        'Writes FILE.',
        '',
      ].join('\n'),
    );
  });
});

describe('option value helpers', () => {
  it('intOption / choiceOption', () => {
    expect(intOption(undefined, 'opset', 17)).toBe(17);
    expect(intOption('18', 'opset', 17, { min: 13, max: 21 })).toBe(18);
    expect(() => intOption('9', 'opset', 17, { min: 13, max: 21 })).toThrow('--opset: expected an integer in 13..21, got "9"');
    expect(() => intOption('1.5', 'n', 1)).toThrow('--n: expected an integer, got "1.5"');
    expect(() => intOption('', 'n', 1, { min: 1 })).toThrow('--n: expected an integer ≥ 1, got ""');
    expect(choiceOption('lfw', 'format', ['lfw', 'list'], 'list')).toBe('lfw');
    expect(() => choiceOption('lsit', 'format', ['lfw', 'list'], 'list')).toThrow('--format: expected one of lfw, list (did you mean list?), got "lsit"');
  });
});

describe('runCli', () => {
  it('--help prints the help on stdout, exit 0', async () => {
    const c = capture();
    expect(await runCli(SPEC, ['--help'], c.io, () => 1)).toBe(0);
    expect(c.out()).toBe(helpText(SPEC));
  });
  it('usage errors: one line naming the command, exit 2', async () => {
    const c = capture();
    expect(await runCli(SPEC, ['x', '--mapz'], c.io, () => 0)).toBe(2);
    expect(c.err()).toBe('interpret-fr-x: unknown option --mapz; did you mean --maps? (see interpret-fr-x --help)\n');
  });
  it('expected errors print one line (no stack); --debug prints the stack', async () => {
    const fail = (): never => {
      throw new InterpretFrError('expected a header\nline', { code: 'format', file: 'p.txt', line: 3 });
    };
    let c = capture();
    expect(await runCli(SPEC, ['x'], c.io, fail)).toBe(1);
    expect(c.err()).toBe('interpret-fr-x: p.txt:3: expected a header; line\n');
    c = capture();
    expect(await runCli(SPEC, ['x', '--debug'], c.io, fail)).toBe(1);
    // The message itself is one line (InterpretFrError escapes line breaks); --debug adds the stack.
    expect(c.err()).toMatch(/^interpret-fr-x: InterpretFrError: p\.txt:3: expected a header; line\n\s+at /);
  });
  it('unexpected errors: a short line and a hint to rerun with --debug, exit 1', async () => {
    const c = capture();
    expect(
      await runCli(SPEC, ['x'], c.io, () => {
        throw new TypeError('x is undefined');
      }),
    ).toBe(1);
    expect(c.err()).toBe('interpret-fr-x: unexpected error: TypeError: x is undefined\n  (this is a bug; rerun with --debug for the stack trace)\n');
  });
  it('file-system errors are one line; the body exit code is returned', async () => {
    const c = capture();
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'nope'"), { code: 'ENOENT', syscall: 'open' });
    expect(
      await runCli(SPEC, ['x'], c.io, () => {
        throw enoent;
      }),
    ).toBe(1);
    expect(c.err()).toBe("interpret-fr-x: ENOENT: no such file or directory, open 'nope'\n");
    expect(await runCli(SPEC, ['x'], c.io, () => 130)).toBe(130);
    expect(await runCli(SPEC, ['x'], c.io, async () => undefined)).toBe(0);
  });
  it('ends an open progress line before the error', async () => {
    const c = capture(true);
    const code = await runCli(SPEC, ['x'], c.io, (_a, ctx) => {
      ctx.progress().update({}, 'step 1/2');
      throw new InterpretFrError('boom', { code: 'data' });
    });
    expect(code).toBe(1);
    expect(c.err()).toBe('\rstep 1/2\x1b[K\ninterpret-fr-x: boom\n');
  });
  it('reportError maps codes', () => {
    const c = capture();
    expect(reportError('x', new InterpretFrError('k', { code: 'config' }), c.io.stderr)).toBe(2);
    expect(c.err()).toBe('x: k\n');
  });
});

describe('parseScriptArgs', () => {
  const exit = (code: number): never => {
    throw new Error(`exit ${code}`);
  };
  it('returns the parsed options; --help prints the help and exits 0; a usage error is one line and exit 2', () => {
    expect(parseScriptArgs(SPEC, ['in', '--maps', '-o', 'f'], capture().io, exit).values).toEqual({ maps: true, output: 'f' });
    let c = capture();
    expect(() => parseScriptArgs(SPEC, ['--help'], c.io, exit)).toThrow('exit 0');
    expect(c.out()).toBe(helpText(SPEC));
    c = capture();
    expect(() => parseScriptArgs(SPEC, ['in', '--opst', '13'], c.io, exit)).toThrow('exit 2');
    expect(c.err()).toBe('interpret-fr-x: unknown option --opst; did you mean --opset? (see interpret-fr-x --help)\n');
  });
});

describe('createProgressReporter', () => {
  it('TTY: redraws one line, throttled; final ends it; notes stay', () => {
    let s = '';
    let t = 0;
    const p = createProgressReporter({ write: (x: string) => (s += x), isTTY: true, columns: 12 }, { intervalMs: 100, now: () => t });
    expect(p.json).toBe(false);
    p.update({ n: 1 }, 'a 1');
    t = 50;
    p.update({ n: 2 }, 'a 2'); // throttled
    t = 200;
    p.update({ n: 3 }, 'a 3 and a long tail');
    p.note({ type: 'warn' }, 'warning: x');
    p.note({ type: 'checkpoint' }, null);
    p.update({ n: 4 }, 'a 4', { final: true });
    p.end();
    expect(s).toBe('\ra 1\x1b[K\ra 3 and a …\x1b[K\nwarning: x\n\ra 4\x1b[K\n');
  });
  it('not a TTY: one JSON line per update and note', () => {
    let s = '';
    const p = createProgressReporter({ write: (x: string) => (s += x) });
    expect(p.json).toBe(true);
    p.update({ type: 'progress', done: 1, total: 2 }, 'ignored');
    p.update({ type: 'progress', done: 2, total: 2 }, 'ignored');
    p.note({ type: 'checkpoint' }, null);
    p.end();
    expect(
      s
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ type: 'progress', done: 1, total: 2 }, { type: 'progress', done: 2, total: 2 }, { type: 'checkpoint' }]);
  });
  it('json: true forces JSON lines on a TTY', () => {
    expect(createProgressReporter({ write: () => 0, isTTY: true }, { json: true }).json).toBe(true);
  });
});
