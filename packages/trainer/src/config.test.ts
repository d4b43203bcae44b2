import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, PRESETS, applySet, resolveConfig } from './config.ts';
import type { SchemaOf, TrainConfig } from './config.ts';

describe('config', () => {
  it('defaults are the original recipe (method.md §4.5, §5)', () => {
    const c = resolveConfig({ preset: 'sad-fad' });
    expect(c.optimizer).toEqual({ lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
    expect(c.batchSize).toBe(64);
    expect(c.loss).toEqual({ ce: 2, ceOcc: 2, sad: 1, sadOcc: 1, weightDiversity: 100, fad: 0.1, fadKeep: null, distill: 0 });
    expect([c.model.distillDim, c.data.teacher]).toEqual([null, null]);
    expect(c.model.spec).toBe('interpretable');
    expect(c.init.loadRunningStats).toBe(true);
  });
  it('presets differ only where they say', () => {
    expect(Object.keys(PRESETS).sort()).toEqual(['base', 'sad', 'sad-fad', 'small-base', 'small-sad', 'small-sad-fad', 'tiny']);
    const small = resolveConfig({ preset: 'small-sad-fad' });
    expect([small.model.spec, small.batchSize, small.loss.fad]).toEqual(['interpretable-small', 32, 0.1]);
    expect(resolveConfig({ preset: 'small-base' }).model.spec).toBe('casia-net-small');
    expect(() => resolveConfig({ preset: 'small-sad-fad', sets: ['loss.distill=1'] })).toThrow(/needs model\.distillDim and data\.teacher/);
    const base = resolveConfig({ preset: 'base' });
    expect(base.model.spec).toBe('casia-net');
    expect([base.loss.ceOcc, base.loss.sad, base.loss.sadOcc, base.loss.weightDiversity, base.loss.fad]).toEqual([0, 0, 0, 0, 0]);
    const sad = resolveConfig({ preset: 'sad' });
    expect([sad.loss.ce, sad.loss.sad, sad.loss.weightDiversity, sad.loss.ceOcc, sad.loss.sadOcc, sad.loss.fad]).toEqual([2, 1, 100, 0, 0, 0]);
    const tiny = resolveConfig({ preset: 'tiny' });
    expect(tiny.model.spec).toBe('interpretable-tiny');
    expect(tiny.loss).toEqual(DEFAULT_CONFIG.loss);
    expect(tiny.batchSize).toBeLessThan(64);
    expect(tiny.preset).toBe('tiny');
  });
  it('--set overrides parse JSON values and are checked against the type', () => {
    let c = resolveConfig({ preset: 'tiny', sets: ['loss.sad=0.5', 'steps=12', 'data.source=/tmp/x.txt', 'init.from=null', 'data.order=fixed'] });
    expect([c.loss.sad, c.steps, c.data.source, c.init.from, c.data.order]).toEqual([0.5, 12, '/tmp/x.txt', null, 'fixed']);
    c = applySet(c, 'data.source=123');
    expect(c.data.source).toBe('123');
    expect(() => applySet(c, 'loss.sadd=1')).toThrow(/unknown config key "loss\.sadd"; did you mean "loss\.sad"\?/);
    expect(() => applySet(c, 'loss.zzzzzz=1')).toThrow(/unknown config key "loss\.zzzzzz"; known keys of "loss": ce, ceOcc, sad/);
    expect(() => applySet(c, 'nope=1')).toThrow(/unknown config key "nope"/);
    expect(() => applySet(c, 'batchSize=2.5')).toThrow(/config key "batchSize": expected an integer in \[1, inf\], got 2\.5/);
    expect(() => applySet(c, 'loss.ce=abc')).toThrow(/config key "loss\.ce": expected a number in \[0, inf\], got "abc"/);
    expect(() => applySet(c, 'data.order=random')).toThrow(/expected one of "shuffle", "fixed", got "random"/);
    expect(() => applySet(c, 'init.loadRunningStats=1')).toThrow(/expected true or false/);
    expect(() => applySet(c, 'loss=1')).toThrow(/is a section/);
    expect(() => applySet(c, 'steps')).toThrow(/--set expects key=value/);
  });
  it('config files are partial configs checked the same way; unknown presets are errors', () => {
    const c = resolveConfig({ file: { preset: 'sad', optimizer: { lr: 2e-4 } } });
    expect([c.preset, c.optimizer.lr, c.optimizer.beta1, c.loss.fad]).toEqual(['sad', 2e-4, 0.5, 0]);
    expect(() => resolveConfig({ file: { optimiser: {} } })).toThrow(ConfigError);
    expect(() => resolveConfig({ file: { optimizer: 3 } })).toThrow(/config key "optimizer": expected an object, got 3/);
    expect(() => resolveConfig({ preset: 'huge' })).toThrow(/unknown preset "huge"; expected one of base, sad, sad-fad, tiny/);
    expect(() => resolveConfig({ preset: 'tiyn' })).toThrow(/unknown preset "tiyn"; did you mean "tiny"\? expected one of/);
    expect(() => resolveConfig({ preset: 'tiny', sets: ['optimizer.lrr=1'] })).toThrow(/unknown config key "optimizer.lrr"; did you mean "optimizer.lr"?/);
    expect(() => resolveConfig({ preset: 'tiny', file: { batchsize: 3 } })).toThrow(/unknown config key "batchsize"; did you mean "batchSize"?/);
    expect(() => resolveConfig({ preset: 'tiny', sets: ['backend=wsam'] })).toThrow(/did you mean "wasm"?/);
    expect(() => resolveConfig({ preset: 'tiny', sets: ['constructor=1'] })).toThrow(/unknown config key "constructor"/);
    expect(() => resolveConfig({ sets: ['steps=null', 'epochs=null'] })).toThrow(/set "steps" or "epochs"/);
  });
});

describe('the config schema is derived from the TrainConfig type', () => {
  it('wrong keys, wrong preset names and missing enum members are compile errors (checked by tsc)', () => {
    // @ts-expect-error "tiyn" is not a preset name
    const preset: TrainConfig['preset'] = 'tiyn';
    // @ts-expect-error a schema without the "b" key of its type
    const missing: SchemaOf<{ a: number; b: string }> = { a: { t: 'int', nullable: false } };
    // @ts-expect-error a schema with a key its type does not have
    const extra: SchemaOf<{ a: number }> = { a: { t: 'int', nullable: false }, c: { t: 'int', nullable: false } };
    // @ts-expect-error an enum leaf that forgets a member ("gt")
    const enumLeaf: SchemaOf<{ k: 'ge' | 'gt' }> = { k: { t: 'string', oneOf: { ge: true }, nullable: false } };
    // @ts-expect-error a nullable key whose leaf does not accept null
    const nullable: SchemaOf<{ n: number | null }> = { n: { t: 'int', nullable: false } };
    expect([preset, missing, extra, enumLeaf, nullable].length).toBe(5);
  });
});
