import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root (tests run with cwd = repo root or the package). */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** `../shared/bench` relative to the repo root (override: INTERPRET_FR_BENCH). */
export const benchDir = process.env.INTERPRET_FR_BENCH ?? resolve(root, '../shared/bench');
export const casiaTorch = resolve(benchDir, 'casia-net-torch.onnx');
export const interpretableTorch = resolve(benchDir, 'interpretable-torch.onnx');
export const haveBench = existsSync(casiaTorch) && existsSync(interpretableTorch);
if (!haveBench) {
  if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`reference models missing in ${benchDir} (INTERPRET_FR_REQUIRE_DATA=1)`);
  console.warn(`[inference tests] ${benchDir} has no *-torch.onnx: tests on the PyTorch reference models are skipped`);
}
/** Options that make the PyTorch export (input `x`, no metadata) usable. */
export const torchOverride = { inputName: 'x', outputs: { embedding: 'embedding', maps: 'maps' }, preprocess: {} };
export const torchOverrideNoMaps = { inputName: 'x', outputs: { embedding: 'embedding' }, preprocess: {} };
