/**
 * The study plan: which models are trained, from what, for how long. One place, so the results page and
 * the model card quote the exact settings.
 *
 * Size (`small` presets: 48×48 input, 1/4 width, 80 filters on 12×12 maps): measured on this machine's
 * shared 2 cores with the wasm backend, see the study README. Step counts are chosen so that each run
 * fits the ≤ 45 min budget; base runs longest because SAD, SAD+FAD and the teacher variant fine-tune from it.
 *
 * @module
 */

/** One training of the study. */
export interface TrainPlan {
  /** Run directory name under the runs folder, and the model's name in the tables. */
  name: string;
  /** Row label in the results table. */
  label: string;
  preset: 'small-base' | 'small-sad' | 'small-sad-fad';
  steps: number;
  /** Name of the run whose backbone initialises this one (method.md: fine-tuned from base). */
  from: string | null;
  /** Extra `--set key=value` overrides. */
  sets: string[];
  /** Uses the pretrained teacher's descriptors ("with teacher": reported apart). */
  teacher: boolean;
  /** Weight of the distillation term (teacher runs only; default 1). */
  distillWeight?: number;
}

/** The trainings, in order. */
export const TRAININGS: TrainPlan[] = [
  { name: 'base', label: 'base CNN', preset: 'small-base', steps: 1200, from: null, sets: [], teacher: false },
  { name: 'sad-fad', label: 'SAD+FAD', preset: 'small-sad-fad', steps: 600, from: 'base', sets: [], teacher: false },
  { name: 'sad-fad-teacher', label: 'SAD+FAD + teacher distillation', preset: 'small-sad-fad', steps: 600, from: 'base', sets: [], teacher: true },
  { name: 'sad', label: 'SAD', preset: 'small-sad', steps: 600, from: 'base', sets: [], teacher: false },
  {
    name: 'base-head',
    label: 'base CNN + interpretable head, CE only (the d reference)',
    preset: 'small-sad',
    steps: 600,
    from: 'base',
    sets: ['loss.sad=0', 'loss.weightDiversity=0', 'loss.ce=1'],
    teacher: false,
  },
  { name: 'sad-teacher', label: 'SAD + teacher distillation', preset: 'small-sad', steps: 600, from: 'base', sets: [], teacher: true },
  {
    name: 'base-head-teacher',
    label: 'base CNN + interpretable head, CE + distill (the d reference with the teacher)',
    preset: 'small-sad',
    steps: 600,
    from: 'base',
    sets: ['loss.sad=0', 'loss.weightDiversity=0', 'loss.ce=1'],
    teacher: true,
  },
  {
    name: 'base-teacher',
    label: 'base CNN + teacher distillation (CE + distill)',
    preset: 'small-base',
    steps: 600,
    from: 'base',
    sets: [],
    teacher: true,
  },
];
