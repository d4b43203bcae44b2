import { describe, expect, it } from 'vitest';
import { modelNotice } from './model-notice.ts';
import { defaultModelSource } from '../../vite.config.ts';

describe('default model notice', () => {
  it('warns on screen only for the random-weight fixture', () => {
    expect(modelNotice('fixture')).toMatch(/random-weight test fixture.*interpret-fr-lfw\.onnx/);
    expect(modelNotice('lfw')).toBeNull();
    expect(modelNotice(undefined)).toBeNull();
  });
  it('prefers $INTERPRET_FR_DEMO_MODEL, then models/interpret-fr-lfw.onnx, then the latest run, then the fixture', () => {
    const fixture = defaultModelSource({ INTERPRET_FR_DEMO_MODEL: '/nonexistent.onnx' }, { lfw: '/nope-lfw.onnx', latest: undefined });
    expect(fixture?.kind).toBe('fixture');
    const env = defaultModelSource({ INTERPRET_FR_DEMO_MODEL: fixture!.path }, { lfw: '/nope-lfw.onnx', latest: undefined });
    expect(env?.kind).toBe('env');
    const lfw = defaultModelSource({}, { lfw: fixture!.path, latest: undefined });
    expect(lfw?.kind).toBe('lfw');
  });
});
