/**
 * `node:crypto` SHA-256 for the model integrity check (core's portable SHA-256 is ~10× slower; the
 * result is the same hex digest).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { HashParts } from '@interpret-fr/core';

/** SHA-256 (hex) of the concatenated parts with `node:crypto`. */
export const nodeSha256Parts: HashParts = (parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
