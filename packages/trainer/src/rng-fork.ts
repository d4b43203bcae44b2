/**
 * `Rng.fork` of core can produce a negative word (`x | 1` is a signed int32), which `setState` then
 * rejects for about half the seeds. This is the same derivation with the word kept unsigned; it is
 * used wherever the trainer derives independent streams.
 *
 * @module
 */
import { Rng } from '@interpret-fr/core';

/** An independent generator derived from `r` (advances `r` by 4 draws). */
export function forkRng(r: Rng): Rng {
  return new Rng(0).setState({ words: [r.nextU32(), r.nextU32(), r.nextU32(), (r.nextU32() | 1) >>> 0], spare: null });
}
