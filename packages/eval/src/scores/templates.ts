/**
 * Templates as compressed sparse rows: template t owns feature rows `rows[offsets[t] .. offsets[t+1])`
 * (and their media ids). Built from per-image template ids and a feature lookup; images without a
 * feature are dropped, and templates left empty are kept as empty (callers skip and count them).
 *
 * @module
 */

/** A set of templates over the rows of one feature matrix. */
export interface Templates {
  /** External template ids, in template order. */
  ids: Int32Array;
  /** Length count + 1. */
  offsets: Int32Array;
  /** Feature row of each member image. */
  rows: Int32Array;
  /** Media id of each member image (−1 when unknown). */
  media: Int32Array;
}

/** Number of templates. */
export function templateCount(t: Templates): number {
  return t.ids.length;
}

/** Number of images in template i. */
export function templateSize(t: Templates, i: number): number {
  return t.offsets[i + 1]! - t.offsets[i]!;
}

/**
 * Groups images into templates in order of first appearance of each template id.
 *
 * @param templateId template id per image
 * @param featureRow feature row per image, −1 when the image has no feature
 * @param mediaId media id per image (optional)
 * @param keep optional per-image filter (e.g. the natural-occlusion subset)
 */
export function buildTemplates(templateId: ArrayLike<number>, featureRow: ArrayLike<number>, mediaId?: ArrayLike<number>, keep?: (i: number) => boolean): Templates {
  const n = templateId.length;
  if (featureRow.length !== n) throw new RangeError(`buildTemplates: ${featureRow.length} feature rows for ${n} images`);
  const index = new Map<number, number>();
  const ids: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = templateId[i]!;
    let t = index.get(id);
    if (t === undefined) {
      t = ids.length;
      index.set(id, t);
      ids.push(id);
      count.push(0);
    }
    if (featureRow[i]! >= 0 && (!keep || keep(i))) count[t]!++;
  }
  const offsets = new Int32Array(ids.length + 1);
  for (let t = 0; t < ids.length; t++) offsets[t + 1] = offsets[t]! + count[t]!;
  const rows = new Int32Array(offsets[ids.length]!);
  const media = new Int32Array(rows.length);
  const fill = offsets.slice(0, ids.length);
  for (let i = 0; i < n; i++) {
    if (featureRow[i]! < 0 || (keep && !keep(i))) continue;
    const t = index.get(templateId[i]!)!;
    const at = fill[t]!++;
    rows[at] = featureRow[i]!;
    media[at] = mediaId ? mediaId[i]! : -1;
  }
  return { ids: Int32Array.from(ids), offsets, rows, media };
}

/** Map from external template id to template index. */
export function templateIndex(t: Templates): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < t.ids.length; i++) m.set(t.ids[i]!, i);
  return m;
}

/** The templates `keep` (indices into `t`, in that order, each once or more), as a new set. */
export function selectTemplates(t: Templates, keep: ArrayLike<number>): Templates {
  const offsets = new Int32Array(keep.length + 1);
  for (let i = 0; i < keep.length; i++) offsets[i + 1] = offsets[i]! + templateSize(t, keep[i]!);
  const rows = new Int32Array(offsets[keep.length]!);
  const media = new Int32Array(rows.length);
  const ids = new Int32Array(keep.length);
  for (let i = 0; i < keep.length; i++) {
    const k = keep[i]!;
    rows.set(t.rows.subarray(t.offsets[k]!, t.offsets[k + 1]!), offsets[i]!);
    media.set(t.media.subarray(t.offsets[k]!, t.offsets[k + 1]!), offsets[i]!);
    ids[i] = t.ids[k]!;
  }
  return { ids, offsets, rows, media };
}
