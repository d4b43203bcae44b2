/**
 * The image set `interpret-fr-prepare` reads: a root folder of identity folders
 * (`<root>/<identity>/<image>`, labels = identity folder names in sorted order), or a list file
 * with one `path[,label]` per line (paths relative to the list file; without a label, the parent
 * folder name is the identity).
 *
 * @module
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InterpretFrError } from '@interpret-fr/core';

/** One input image. */
export interface PrepareItem {
  /** Absolute path of the image. */
  path: string;
  /** Path of its crop relative to the output folder (`crops/<identity>/<name>.png`). */
  crop: string;
  /** Identity name. */
  identity: string;
  /** Integer label. */
  label: number;
}

/** File extensions read as images when walking a folder. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.pgm', '.bmp', '.tif', '.tiff', '.gif', '.avif'];

/** A problem with the input set or the options (folder layout, list line, resume mismatch); names the file and line. */
export class PrepareInputError extends InterpretFrError {
  override name = 'PrepareInputError';
}

/** Names of the folders or files in `dir` (symbolic links followed). */
async function entries(dir: string, kind: 'dir' | 'file'): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      const s = await stat(join(dir, d.name)).catch(() => null);
      isDir = s?.isDirectory() ?? false;
      isFile = s?.isFile() ?? false;
    }
    if (kind === 'dir' ? isDir : isFile) out.push(d.name);
  }
  return out;
}

const cropName = (rel: string): string =>
  join('crops', rel.slice(0, rel.length - extname(rel).length) + '.png')
    .split(sep)
    .join('/');

/**
 * Lists the images of a root folder or a list file. Images must sit in identity folders (one
 * level below the root); files directly in the root or deeper are reported.
 *
 * @throws PrepareInputError when the folder holds no identity folders with images, or a list line is malformed.
 */
export async function listPrepareItems(images: string): Promise<{ items: PrepareItem[]; identities: string[] }> {
  const abs = resolve(images);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    throw new PrepareInputError(`--images ${images}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}`);
  }
  const raw: { path: string; rel: string; identity: string; label: number | null }[] = [];
  if (st.isDirectory()) {
    const dirs = (await entries(abs, 'dir')).sort();
    for (const id of dirs) {
      const files = (await entries(join(abs, id), 'file')).filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())).sort();
      for (const f of files) raw.push({ path: join(abs, id, f), rel: `${id}/${f}`, identity: id, label: null });
    }
    if (raw.length === 0) throw new PrepareInputError(`--images ${images}: no images in identity folders (expected <root>/<identity>/<image>.{jpg,png,pgm,…})`);
  } else {
    const text = await readFile(abs, 'utf8');
    const root = dirname(abs);
    text.split(/\r?\n/).forEach((line, k) => {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) return;
      const parts = t.split(',');
      const p = parts[0]!.trim();
      let label: number | null = null;
      if (parts.length > 1 && parts[1]!.trim() !== '') {
        label = Number(parts[1]!.trim());
        if (!Number.isInteger(label) || label < 0) throw new PrepareInputError(`${abs}:${k + 1}: label ${JSON.stringify(parts[1]!.trim())} is not a non-negative integer`);
      }
      const full = isAbsolute(p) ? p : resolve(root, p);
      const rel = isAbsolute(p) ? relative(root, full) : p;
      if (rel.startsWith('..'))
        throw new PrepareInputError(`${abs}:${k + 1}: ${p} lies outside the list file's folder; crops are written under --out mirroring paths relative to it`);
      raw.push({ path: full, rel, identity: label !== null ? String(label) : dirname(rel) === '.' ? '' : dirname(rel).split(/[\\/]/).pop()!, label });
    });
    if (raw.length === 0) throw new PrepareInputError(`${abs}: no images listed`);
  }
  const explicit = raw.some((r) => r.label !== null);
  if (explicit && raw.some((r) => r.label === null)) throw new PrepareInputError(`${abs}: some lines have labels and some do not; give all or none`);
  const identities = explicit ? [] : [...new Set(raw.map((r) => r.identity))].sort();
  const index = new Map(identities.map((id, i) => [id, i]));
  const seen = new Set<string>();
  const items = raw.map((r) => {
    const crop = cropName(r.rel);
    if (seen.has(crop)) throw new PrepareInputError(`${images}: two images map to the same crop ${crop} (same name, different extension?)`);
    seen.add(crop);
    return { path: r.path, crop, identity: r.identity, label: r.label ?? index.get(r.identity)! };
  });
  return { items, identities };
}
