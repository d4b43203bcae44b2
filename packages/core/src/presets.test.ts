import { describe, expect, it } from 'vitest';
import type { PresetName } from './presets.ts';
import { presets, presetSpec } from './presets.ts';
import { countParams, validateSpec } from './spec.ts';

/**
 * Hand count from method.md §2. Every 3×3 conv has a bias and is followed by BN with four
 * vectors (gamma, beta, moving mean, moving variance): 9·in·out + out + 4·out.
 */
const BACKBONE_HAND: [string, number][] = [
  ['k0_1', 9 * 3 * 32 + 32 + 4 * 32], //         1,024
  ['k0_2', 9 * 32 * 64 + 64 + 4 * 64], //       18,752
  ['k1_0', 9 * 64 * 64 + 64 + 4 * 64], //       37,184
  ['k1_1', 9 * 64 * 64 + 64 + 4 * 64], //       37,184
  ['k1_2', 9 * 64 * 128 + 128 + 4 * 128], //    74,368
  ['k2_0', 9 * 128 * 128 + 128 + 4 * 128], //  148,096
  ['k2_1', 9 * 128 * 96 + 96 + 4 * 96], //     111,072
  ['k2_2', 9 * 96 * 192 + 192 + 4 * 192], //   166,848
  ['k3_0', 9 * 192 * 192 + 192 + 4 * 192], //  332,736
  ['k3_1', 9 * 192 * 128 + 128 + 4 * 128], //  221,824
  ['k3_2', 9 * 128 * 256 + 256 + 4 * 256], //  296,192
  ['k4_0', 9 * 256 * 256 + 256 + 4 * 256], //  591,104
  ['k4_1', 9 * 256 * 160 + 160 + 4 * 160], //  369,440
  ['k4_2', 9 * 160 * 320 + 320 + 4 * 320], //  462,400
];
const BACKBONE_TOTAL = 2_868_224; // "about 2.86 M" in method.md §2.2
/** §2.3: two 1×1 PCA convs to 192 (+BN), and k5 3×3 on the 576-channel hypercolumn (+BN). */
const HEAD_HAND = 256 * 192 + 192 + 4 * 192 + (320 * 192 + 192 + 4 * 192) + (9 * 576 * 320 + 320 + 4 * 320);
const HEAD_TOTAL = 1_772_992; // "about 1.77 M conv/BN parameters"
const FC = 320 * 10575 + 10575; // 3,394,575: "3.39 M in the FC layer"

describe('presets', () => {
  it.each(Object.keys(presets) as PresetName[])('%s validates, default and with options', (name) => {
    expect(() => validateSpec(presets[name]())).not.toThrow();
    expect(() => validateSpec(presets[name]({ numClasses: 3, topkCompare: 'gt' }))).not.toThrow();
    expect(presetSpec(name, { numClasses: 3 })).toEqual(presets[name]({ numClasses: 3 }));
  });

  it('unknown preset names list the known ones', () => {
    expect(() => presetSpec('resnet')).toThrow('unknown preset "resnet"; expected one of casia-net, interpretable, casia-net-tiny, interpretable-tiny');
  });

  it('casia-net parameter count equals the hand count of method.md §2', () => {
    const spec = presets['casia-net']();
    expect(BACKBONE_HAND.reduce((a, [, n]) => a + n, 0)).toBe(BACKBONE_TOTAL);
    for (const [name, n] of BACKBONE_HAND) {
      expect(
        countParams(spec, (p) => p.block === name || p.block === `${name}_bn`),
        name,
      ).toBe(n);
    }
    const bb = new Set(spec.outputs.backbone);
    expect(countParams(spec, (p) => bb.has(p.block))).toBe(BACKBONE_TOTAL);
    expect(countParams(spec, (p) => p.block === 'fc')).toBe(FC);
    expect(countParams(spec)).toBe(BACKBONE_TOTAL + FC);
  });

  it('interpretable parameter count equals the hand count of method.md §2', () => {
    const spec = presets.interpretable();
    const bb = new Set(spec.outputs.backbone);
    expect(HEAD_HAND).toBe(HEAD_TOTAL);
    expect(countParams(spec, (p) => bb.has(p.block))).toBe(BACKBONE_TOTAL);
    expect(countParams(spec, (p) => p.block.startsWith('new_'))).toBe(HEAD_TOTAL);
    expect(countParams(spec, (p) => p.block === 'fc')).toBe(FC);
    expect(countParams(spec)).toBe(BACKBONE_TOTAL + HEAD_TOTAL + FC); // 8,035,791
    expect(countParams(presets.interpretable({ numClasses: 100 }), (p) => p.block === 'fc')).toBe(320 * 100 + 100);
  });

  it('shapes of method.md §2: 96 input, 24×24×576 hypercolumn, 24×24×320 maps, k = 24, 320-d feature', () => {
    const spec = presets.interpretable();
    const s = validateSpec(spec);
    expect(s.get('k2_2_elu')).toEqual([24, 24, 192]);
    expect(s.get('k3_2_elu')).toEqual([12, 12, 256]);
    expect(s.get('k4_2_bn')).toEqual([6, 6, 320]);
    expect(s.get('new_hc')).toEqual([24, 24, 576]);
    expect(s.get(spec.outputs.maps!)).toEqual([24, 24, 320]);
    expect(s.get(spec.outputs.embedding)).toEqual([320]);
    expect(s.get(spec.outputs.logits)).toEqual([10575]);
    const mask = spec.blocks.find((b) => b.kind === 'topkMask');
    expect(mask).toMatchObject({ k: 24, compare: 'ge' });
    expect(presets.interpretable({ topkCompare: 'gt' }).blocks.find((b) => b.kind === 'topkMask')).toMatchObject({ compare: 'gt' });
    // k4_2 has BN but no ELU; every other backbone conv has an ELU.
    const acts = spec.blocks.filter((b) => b.kind === 'act').map((b) => b.name);
    expect(acts.filter((n) => /^k\d_\d_elu$/.test(n))).toHaveLength(13);
    expect(acts).not.toContain('k4_2_elu');
    const casia = presets['casia-net']();
    expect(validateSpec(casia).get(casia.outputs.embedding)).toEqual([320]);
    expect(casia.outputs.maps).toBeUndefined();
  });

  it('tiny variants: 48 input, 1/8 width, 12×12×40 maps, k = 12', () => {
    const spec = presets['interpretable-tiny']();
    const s = validateSpec(spec);
    expect(spec.inputSize).toBe(48);
    expect(s.get(spec.outputs.maps!)).toEqual([12, 12, 40]);
    expect(s.get('new_hc')).toEqual([12, 12, 72]);
    expect(spec.blocks.find((b) => b.kind === 'topkMask')).toMatchObject({ k: 12 });
    const widths = [3, 4, 8, 8, 8, 16, 16, 12, 24, 24, 16, 32, 32, 20, 40];
    const hand = widths.slice(1).reduce((a, w, i) => a + 9 * widths[i]! * w + 5 * w, 0);
    const tiny = presets['casia-net-tiny']({ numClasses: 10 });
    const bb = new Set(tiny.outputs.backbone);
    expect(countParams(tiny, (p) => bb.has(p.block))).toBe(hand);
    expect(hand).toBe(46_048);
  });
});
