import { describe, expect, it } from 'vitest';
import { EXIT_CODES, InterpretFrError, describeValue, exitCodeFor, formatPlace } from './errors.ts';

describe('InterpretFrError', () => {
  it('puts the place first: file:line, row, field', () => {
    const e = new InterpretFrError('label "x" is not an integer', { code: 'data', file: 'a/list.txt', line: 12 });
    expect(e.message).toBe('a/list.txt:12: label "x" is not an integer');
    expect([e.code, e.file, e.line, e.row, e.detail]).toEqual(['data', 'a/list.txt', 12, null, 'label "x" is not an integer']);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InterpretFrError');
    expect(new InterpretFrError('bad', { file: 'f.npy', row: 3, field: 'dtype' }).message).toBe('f.npy, row 3, dtype: bad');
    expect(new InterpretFrError('bad').message).toBe('bad');
    expect(new InterpretFrError('bad').code).toBe('input');
  });
  it('expected(): "expected …, got …" with a short rendering of the value', () => {
    expect(InterpretFrError.expected('an integer in 13..21', '9', { code: 'usage', field: '--opset' }).message).toBe('--opset: expected an integer in 13..21, got "9"');
    expect(describeValue(new Float32Array(5))).toBe('Float32Array(5)');
    expect(describeValue('x'.repeat(100)).length).toBe(60);
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue('a\nb')).toBe('"a\\nb"');
  });
  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new InterpretFrError('outer', { cause }).cause).toBe(cause);
  });
  it('exit codes: usage/config 2, interrupted 130, other expected 1, bugs 1', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, failure: 1, usage: 2, interrupted: 130 });
    expect(exitCodeFor(new InterpretFrError('x', { code: 'usage' }))).toBe(2);
    expect(exitCodeFor(new InterpretFrError('x', { code: 'config' }))).toBe(2);
    expect(exitCodeFor(new InterpretFrError('x', { code: 'interrupted' }))).toBe(130);
    expect(exitCodeFor(new InterpretFrError('x', { code: 'data' }))).toBe(1);
    expect(exitCodeFor(new TypeError('x'))).toBe(1);
    expect(formatPlace({ line: 4 })).toBe('line 4');
  });
  it('subclasses stay expected errors', () => {
    class FooError extends InterpretFrError {
      override name = 'FooError';
    }
    const e = new FooError('x', { code: 'format', file: 'f' });
    expect(e).toBeInstanceOf(InterpretFrError);
    expect(e.message).toBe('f: x');
  });
});
