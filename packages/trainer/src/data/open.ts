/**
 * Opens the image source a {@link DataConfig} names: `synthetic`, an identity-folder tree, a list file,
 * or a `.DAT` blob (format `auto` decides by what the path is). All label and line checks happen here,
 * before training starts.
 *
 * @module
 */
import { statSync } from 'node:fs';
import type { DataConfig } from '../config.ts';
import { openDatBlob } from './dat-blob.ts';
import { openImageFolder } from './folder.ts';
import { openListFile } from './list-file.ts';
import { openSynthetic } from './synthetic.ts';
import type { ImageSource } from './types.ts';

/** Which reader a data config selects. */
export function detectFormat(d: Pick<DataConfig, 'source' | 'format'>): Exclude<DataConfig['format'], 'auto'> {
  if (d.format !== 'auto') return d.format;
  if (d.source === 'synthetic') return 'synthetic';
  let st;
  try {
    st = statSync(d.source);
  } catch {
    throw new Error(`data.source ${JSON.stringify(d.source)}: no such file or folder (expected "synthetic", an identity-folder tree, a list file or a .DAT blob)`);
  }
  if (st.isDirectory()) return 'folder';
  return /\.dat$/i.test(d.source) ? 'dat' : 'list';
}

/** Opens the source; `numClasses` (null = from the data) bounds the labels. */
export async function openSource(d: DataConfig, numClasses: number | null): Promise<ImageSource & { numClasses: number }> {
  switch (detectFormat(d)) {
    case 'synthetic': {
      const s = await openSynthetic(d.cacheDir, d.synthetic);
      if (numClasses !== null && numClasses < s.numClasses) throw new Error(`model.numClasses ${numClasses} < the synthetic set's ${s.numClasses} identities`);
      return { ...s, numClasses: numClasses ?? s.numClasses };
    }
    case 'folder':
      return openImageFolder(d.source, { numClasses });
    case 'list':
      return openListFile(d.source, { landmarks: d.landmarks, numClasses });
    case 'dat':
      return openDatBlob(d.source, { list: d.list, landmarks: d.landmarks, numClasses, side: d.sourceSize });
  }
}
