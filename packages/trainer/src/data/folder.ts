/**
 * Image-folder reader: `root/<identity>/<image>`, one sub-folder per identity; labels are the indices
 * of the sorted folder names. No landmarks (faces are assumed aligned; occlusion uses the template).
 *
 * @module
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImage } from './decode.ts';
import { DataError } from './types.ts';
import type { ImageSource } from './types.ts';

const IMAGE = /\.(png|jpe?g|bmp|webp|tiff?|gif)$/i;

/** Opens an identity-per-folder tree as an {@link ImageSource}; `identities` lists the folder names in label order. */
export async function openImageFolder(root: string, opts: { numClasses?: number | null } = {}): Promise<ImageSource & { numClasses: number; identities: string[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const identities = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (identities.length === 0) throw new DataError('no identity sub-folders', root, null);
  const paths: string[] = [];
  const labels: number[] = [];
  for (const [label, id] of identities.entries()) {
    const files = (await readdir(join(root, id))).filter((f) => IMAGE.test(f)).sort();
    for (const f of files) {
      paths.push(join(root, id, f));
      labels.push(label);
    }
  }
  if (paths.length === 0) throw new DataError('no images (png, jpg, bmp, webp, tif, gif) in the identity folders', root, null);
  const numClasses = opts.numClasses ?? identities.length;
  if (numClasses < identities.length) throw new DataError(`${identities.length} identity folders but numClasses = ${numClasses}`, root, null);
  return {
    kind: 'folder',
    path: root,
    count: paths.length,
    labels: Int32Array.from(labels),
    numClasses,
    identities,
    landmarks: null,
    hasLandmarks: null,
    name: (i) => paths[i]!,
    read: async (i, size) => decodeImage(await readFile(paths[i]!), size, paths[i]!),
  };
}
