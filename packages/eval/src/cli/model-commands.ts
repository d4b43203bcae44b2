/**
 * `interpret-fr-eval occlusion | peaks | synthetic` (model-driven commands).
 *
 * @module
 */
import { UsageError, type CliIo } from './common.ts';

export const OCCLUSION_HELP = 'interpret-fr-eval occlusion (in progress)\n';
export const PEAKS_HELP = 'interpret-fr-eval peaks (in progress)\n';
export const SYNTHETIC_HELP = 'interpret-fr-eval synthetic (in progress)\n';

export async function occlusionCommand(_argv: string[], _io: CliIo): Promise<number> { throw new UsageError('not implemented yet'); }
export async function peaksCommand(_argv: string[], _io: CliIo): Promise<number> { throw new UsageError('not implemented yet'); }
export async function syntheticCommand(_argv: string[], _io: CliIo): Promise<number> { throw new UsageError('not implemented yet'); }
