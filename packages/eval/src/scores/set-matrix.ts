/**
 * Probe × gallery set scores (`set-min-mean`, `set-min-mean-matlab`) computed over DISTINCT images.
 *
 * In IJB-A a sighting appears in several templates of a split (templates are drawn from a subject's
 * media, so videos recur), e.g. ≈ 14k probe rows hold only ≈ 7k distinct sightings. The cosines of a
 * probe template against a gallery template only depend on which feature rows they hold, so:
 *
 * 1. distinct probe rows U (by feature row) × distinct gallery rows V: one GEMM, about half the work;
 * 2. rows of U that belong to exactly the same probe templates form a *class* (e.g. the frames of one
 *    video); classes are contiguous in U. For every row u: the maximum over each gallery template's
 *    columns (the row minima of D); for every class: the element-wise maximum over its rows (one
 *    running buffer), folded into each of its templates' column maxima when the class ends;
 * 3. per (probe template, gallery template): the row maxima of its members (in member order) plus the
 *    column maxima of the gallery members (in member order), summed in float64, divided by n1 + n2.
 *
 * Maxima are exact whatever the grouping, and the sums run in the same order as the per-pair
 * reduction, so given the same cosines the scores are the same bits as `setScore` per pair.
 * Memory: the GEMM is blocked by rows (`rowsPerCall`) and probe templates are processed in chunks
 * whose column-maxima buffer stays under {@link CHUNK_FLOATS} floats.
 *
 * @module
 */
import type { Templates } from './templates.ts';
import { reduceHeap, type ReduceHeap } from './simd.ts';
import { firstNonFinite } from '../io/npy.ts';

/**
 * Largest (probe templates of one chunk) × (distinct gallery rows) buffer, in floats (4 MiB). Session 15 measured
 * 4 MiB against 64 MiB on IJB-A's 10 real-size splits: 15k fewer page faults and 0.29 CPU-s less per run (the buffer
 * is swept once per class of probe rows: a smaller one stays in cache); {@link probeChunkPlan} keeps the chunks from
 * scoring a distinct row twice.
 */
export const CHUNK_FLOATS = 1 << 20;

/** Distinct rows of templates [t0, t1) grouped in classes of identical template membership. */
export interface DistinctRows {
  t0: number;
  t1: number;
  /** Packed member index (into the prepared data) of each distinct row, distinct rows in class order. */
  first: Int32Array;
  /** Distinct index of each packed member, from member offsets[t0]. */
  memberU: Int32Array;
  /** Class c holds distinct rows [classStart[c], classStart[c + 1]). */
  classStart: Int32Array;
  /** Templates (absolute indices, ascending) holding class c: ctList[ctOff[c] .. ctOff[c + 1]). */
  ctOff: Int32Array;
  ctList: Int32Array;
  /** Classes of template t (relative to t0): tcList[tcOff[t − t0] .. tcOff[t − t0 + 1]). */
  tcOff: Int32Array;
  tcList: Int32Array;
}

/** Groups the members of templates [t0, t1) into distinct feature rows and membership classes. */
export function distinctRows(t: Templates, t0: number = 0, t1: number = t.ids.length): DistinctRows {
  const m0 = t.offsets[t0]!;
  const m1 = t.offsets[t1]!;
  let maxRow = -1;
  for (let m = m0; m < m1; m++) if (t.rows[m]! > maxRow) maxRow = t.rows[m]!;
  const slot = new Int32Array(maxRow + 1).fill(-1);
  const firstMember: number[] = [];
  const lists: number[][] = [];
  const memberU0 = new Int32Array(m1 - m0);
  for (let k = t0; k < t1; k++)
    for (let m = t.offsets[k]!; m < t.offsets[k + 1]!; m++) {
      const r = t.rows[m]!;
      let u = slot[r]!;
      if (u < 0) {
        u = firstMember.length;
        slot[r] = u;
        firstMember.push(m);
        lists.push([k]);
      } else {
        const l = lists[u]!;
        if (l[l.length - 1] !== k) l.push(k); // templates come in ascending order: the list stays sorted and distinct
      }
      memberU0[m - m0] = u;
    }
  const nU = firstMember.length;
  // Classes: identical template lists, numbered by first appearance.
  const classId = new Map<string, number>();
  const classOf = new Int32Array(nU);
  const classLists: number[][] = [];
  for (let u = 0; u < nU; u++) {
    const l = lists[u]!;
    const key = l.length === 1 ? String(l[0]) : l.join(',');
    let c = classId.get(key);
    if (c === undefined) {
      c = classLists.length;
      classId.set(key, c);
      classLists.push(l);
    }
    classOf[u] = c;
  }
  const nC = classLists.length;
  const classStart = new Int32Array(nC + 1);
  for (let u = 0; u < nU; u++) classStart[classOf[u]! + 1]!++;
  for (let c = 0; c < nC; c++) classStart[c + 1]! += classStart[c]!;
  const fill = classStart.slice(0, nC);
  const newIndex = new Int32Array(nU);
  const first = new Int32Array(nU);
  for (let u = 0; u < nU; u++) {
    const v = fill[classOf[u]!]!++;
    newIndex[u] = v;
    first[v] = firstMember[u]!;
  }
  const memberU = new Int32Array(m1 - m0);
  for (let i = 0; i < memberU.length; i++) memberU[i] = newIndex[memberU0[i]!]!;
  const ctOff = new Int32Array(nC + 1);
  for (let c = 0; c < nC; c++) ctOff[c + 1] = ctOff[c]! + classLists[c]!.length;
  const ctList = new Int32Array(ctOff[nC]!);
  const nT = t1 - t0;
  const tcOff = new Int32Array(nT + 1);
  for (let c = 0; c < nC; c++) {
    ctList.set(classLists[c]!, ctOff[c]!);
    for (const k of classLists[c]!) tcOff[k - t0 + 1]!++;
  }
  for (let k = 0; k < nT; k++) tcOff[k + 1]! += tcOff[k]!;
  const tcList = new Int32Array(tcOff[nT]!);
  const tf = tcOff.slice(0, nT);
  for (let c = 0; c < nC; c++) for (const k of classLists[c]!) tcList[tf[k - t0]!++] = c;
  return { t0, t1, first, memberU, classStart, ctOff, ctList, tcOff, tcList };
}

/** Gathers the rows `first` of packed data (row length d) into one contiguous block (the first rows of `into` when given: a view of them is returned). */
export function gatherRows(data: Float32Array, first: Int32Array, d: number, into?: Float32Array): Float32Array {
  const out = into ? into.subarray(0, first.length * d) : new Float32Array(first.length * d);
  // Runs of consecutive rows are copied at once.
  for (let i = 0; i < first.length; ) {
    let e = i + 1;
    while (e < first.length && first[e] === first[e - 1]! + 1) e++;
    out.set(data.subarray(first[i]! * d, (first[e - 1]! + 1) * d), i * d);
    i = e;
  }
  return out;
}

/** Probe templates [t0, t1) chunks whose column-maxima buffer (templates × distinct gallery rows) fits {@link CHUNK_FLOATS}, in their own order (see {@link probeChunkPlan}). */
export function probeChunks(nP: number, galleryDistinct: number, limit: number = CHUNK_FLOATS): [number, number][] {
  const per = Math.max(1, Math.floor(limit / Math.max(1, galleryDistinct)));
  const out: [number, number][] = [];
  for (let t0 = 0; t0 < nP; t0 += per) out.push([t0, Math.min(nP, t0 + per)]);
  return out;
}

/** How {@link probeChunkPlan} orders and chunks the probe templates. */
export interface ProbeChunkPlan {
  /** The templates in processing order, or null for their own order. */
  order: Int32Array | null;
  /** Ranges of that order, each one chunk. */
  chunks: [number, number][];
}

/**
 * The probe templates in chunks whose column-maxima buffer (templates × distinct gallery rows) fits `limit` floats,
 * without scoring a distinct row in two chunks where possible: templates that share a feature row (directly or
 * through others, e.g. the frames of one video in several templates) form a group, groups are laid out whole, in
 * the order of their first template (templates in their own order within a group), and a chunk holds whole groups;
 * only a group larger than a chunk is split. The chunks' scores are the same bits whatever the chunking
 * ({@link SetMatrixReducer}: maxima are exact, and each template's sums run over its own members in order).
 */
export function probeChunkPlan(t: Templates, galleryDistinct: number, limit: number = CHUNK_FLOATS): ProbeChunkPlan {
  const nP = t.ids.length;
  const per = Math.max(1, Math.floor(limit / Math.max(1, galleryDistinct)));
  if (nP <= per) return { order: null, chunks: nP > 0 ? [[0, nP]] : [] };
  // Groups: union-find over the templates, each row joining the templates that hold it (root: the group's first template).
  const parent = new Int32Array(nP);
  for (let k = 0; k < nP; k++) parent[k] = k;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  let maxRow = -1;
  for (let m = 0; m < t.rows.length; m++) if (t.rows[m]! > maxRow) maxRow = t.rows[m]!;
  const holder = new Int32Array(maxRow + 1).fill(-1);
  for (let k = 0; k < nP; k++)
    for (let m = t.offsets[k]!; m < t.offsets[k + 1]!; m++) {
      const r = t.rows[m]!;
      if (holder[r]! < 0) {
        holder[r] = k;
        continue;
      }
      const a = find(holder[r]!);
      const b = find(k);
      if (a < b) parent[b] = a;
      else if (b < a) parent[a] = b;
    }
  const root = new Int32Array(nP);
  const size = new Int32Array(nP);
  for (let k = 0; k < nP; k++) size[(root[k] = find(k))]!++;
  const next = new Int32Array(nP);
  for (let r = 0, at = 0; r < nP; r++) {
    next[r] = at;
    at += size[r]!;
  }
  const order = new Int32Array(nP);
  let identity = true;
  for (let k = 0; k < nP; k++) {
    const i = next[root[k]!]!++;
    order[i] = k;
    identity &&= i === k;
  }
  const chunks: [number, number][] = [];
  let c0 = 0;
  let at = 0;
  for (let r = 0; r < nP; r++) {
    const g = size[r]!;
    if (g === 0) continue;
    if (at + g - c0 > per && at > c0) {
      chunks.push([c0, at]);
      c0 = at;
    }
    at += g;
    for (; at - c0 > per; c0 += per) chunks.push([c0, c0 + per]); // a group larger than a chunk
  }
  if (at > c0) chunks.push([c0, at]);
  return { order: identity ? null : order, chunks };
}

/** Options of {@link SetMatrixReducer}. */
export interface SetMatrixReducerOptions {
  /** Floats reserved in the reduction heap for the caller's cosine blocks ({@link SetMatrixReducer.block}), e.g. 2 × rows per block × nV (at least one row is). */
  blockFloats?: number;
  /** false: the JavaScript kernels (tests compare the two). Default: wasm SIMD where available. */
  simd?: boolean;
}

/**
 * Streaming reduction of the cosine rows of distinct probe rows (in {@link DistinctRows} order) against
 * all distinct gallery rows, into probe × gallery set scores. Feed every distinct probe row once, in
 * order, with {@link SetMatrixReducer.rows}; then {@link SetMatrixReducer.finish}. The maxima run on
 * the wasm SIMD kernels of a reduction heap (simd.ts `reduceHeap`) that also holds the caller's cosine
 * blocks ({@link SetMatrixReducer.block}), so a native GEMM can write straight into it.
 */
export class SetMatrixReducer {
  private readonly nG: number;
  private readonly nV: number;
  private readonly heap: ReduceHeap;
  /** Float offsets in the heap. */
  private readonly oBlock: number;
  private readonly oRowMax: number;
  private readonly oColMax: number;
  private readonly oClass: number;
  private readonly oCc: number;
  private readonly oCs: number;
  /** Set-score sums (float64, nG), the row offsets of one probe template's members, gallery offsets (nG + 1), one output row. */
  private readonly oAcc: number;
  private readonly oRowList: number;
  private readonly oGo: number;
  private readonly oOut: number;
  private readonly blockFloats: number;
  private readonly colInit: Uint8Array;
  private readonly rowNaN: Uint8Array;
  private readonly classOf: Int32Array;
  /** Gallery template g is exactly column class g (the usual case: no sighting in two gallery templates). */
  private readonly galleryIdentity: boolean;
  private next = 0;

  constructor(
    private readonly P: Templates,
    private readonly p: DistinctRows,
    private readonly G: Templates,
    private readonly g: DistinctRows,
    private readonly quirk: boolean,
    opts: SetMatrixReducerOptions = {},
  ) {
    this.nG = G.ids.length;
    const nU = p.first.length;
    const nCC = g.classStart.length - 1;
    this.nV = g.first.length;
    // At least one row: cosines passed from outside the heap are reduced from a copy, a block at a time.
    this.blockFloats = Math.max(opts.blockFloats ?? 0, this.nV);
    // Heap layout (floats, 4-aligned): blocks | rowMax nU × nG | colMax templates × nV | class buffer nV | cc nCC | cs nCC + 1 (int32)
    // | acc 2·nG (float64) | row list (the largest probe template, int32) | go nG + 1 (int32) | out nG.
    const al = (x: number): number => (x + 3) & ~3;
    let maxN1 = 0;
    for (let t = p.t0; t < p.t1; t++) maxN1 = Math.max(maxN1, P.offsets[t + 1]! - P.offsets[t]!);
    this.oBlock = 0;
    this.oRowMax = al(this.blockFloats);
    this.oColMax = al(this.oRowMax + nU * this.nG);
    this.oClass = al(this.oColMax + (p.t1 - p.t0) * this.nV);
    this.oCc = al(this.oClass + this.nV);
    this.oCs = al(this.oCc + nCC);
    this.oAcc = al(this.oCs + nCC + 1);
    this.oRowList = al(this.oAcc + 2 * this.nG);
    this.oGo = al(this.oRowList + maxN1);
    this.oOut = al(this.oGo + this.nG + 1);
    this.heap = reduceHeap(this.oOut + this.nG, { simd: opts.simd });
    this.heap.i32.set(g.classStart, this.oCs);
    this.heap.i32.set(G.offsets.subarray(0, this.nG + 1), this.oGo);
    this.colInit = new Uint8Array(p.t1 - p.t0);
    this.rowNaN = new Uint8Array(nU);
    this.classOf = new Int32Array(nU);
    for (let c = 0; c + 1 < p.classStart.length; c++) this.classOf.fill(c, p.classStart[c]!, p.classStart[c + 1]!);
    let id = nCC === this.nG;
    for (let k = 0; id && k < this.nG; k++) id = g.tcOff[k + 1]! - g.tcOff[k]! === 1 && g.tcList[g.tcOff[k]!] === k;
    this.galleryIdentity = id;
  }

  /** Ends the use of the reduction heap (call once done, also on errors; {@link finish} does it). */
  release(): void {
    this.heap.release();
  }

  /** A view of `floats` floats of the reserved block space, from float `at` (for a GEMM to write cosines into). */
  block(at: number, floats: number): Float32Array {
    if (at + floats > this.blockFloats) throw new RangeError(`SetMatrixReducer.block: ${at} + ${floats} floats, ${this.blockFloats} reserved`);
    return this.heap.f32.subarray(this.oBlock + at, this.oBlock + at + floats);
  }

  /** Consumes cosine rows for the next `n` distinct probe rows: S[i·nV + v], row stride nV (a {@link block} view or any array). */
  rows(S: Float32Array, n: number): void {
    const nV = this.nV;
    const nG = this.nG;
    const h = this.heap;
    const f32 = h.f32;
    let s0: number;
    if (S.buffer === f32.buffer && S.byteOffset >= f32.byteOffset) s0 = (S.byteOffset - f32.byteOffset) / 4;
    else {
      // Not in the heap (a kernel that ignored the output buffer): reduce from a copy, a block at a time.
      const per = Math.max(1, Math.floor(this.blockFloats / Math.max(1, nV)));
      for (let i = 0; i < n; i += per) {
        const m = Math.min(per, n - i);
        f32.set(S.subarray(i * nV, (i + m) * nV), this.oBlock);
        this.rows(f32.subarray(this.oBlock, this.oBlock + m * nV), m);
      }
      return;
    }
    const nCC = this.g.classStart.length - 1;
    const pcs = this.p.classStart;
    const classOf = this.classOf;
    const ctOff = this.p.ctOff;
    const ctList = this.p.ctList;
    const t0 = this.p.t0;
    const colInit = this.colInit;
    for (let i = 0; i < n; i++) {
      const u = this.next++;
      const c = classOf[u]!;
      const s = s0 + i * nV;
      // A class held by one template accumulates its column maxima in that template's row directly;
      // a class shared by several templates in the class buffer (folded into each when it closes).
      const single = ctOff[c + 1]! - ctOff[c]! === 1;
      const t = single ? ctList[ctOff[c]!]! - t0 : -1;
      const buf = single ? this.oColMax + t * nV : this.oClass;
      if (single ? colInit[t] === 0 : u === pcs[c]) {
        f32.copyWithin(buf, s, s + nV); // the buffer starts as this row
        if (single) colInit[t] = 1;
      }
      // NaN cosines come only from non-finite features, checked on the inputs (markNonFinite).
      const cc = this.galleryIdentity ? this.oRowMax + u * nG : this.oCc;
      h.rowred(s, this.oCs, nCC, buf, cc);
      if (!this.galleryIdentity) {
        const tcOff = this.g.tcOff;
        const tcList = this.g.tcList;
        const o = this.oRowMax + u * nG;
        for (let k = 0; k < nG; k++) {
          let m = Number.NEGATIVE_INFINITY;
          for (let q = tcOff[k]!; q < tcOff[k + 1]!; q++) {
            const v = f32[this.oCc + tcList[q]!]!;
            m = v > m ? v : m;
          }
          f32[o + k] = m;
        }
      }
      if (!single && u === pcs[c + 1]! - 1) this.closeClass(c);
    }
  }

  /**
   * Marks the distinct probe rows (`A`, in {@link DistinctRows} order) and gallery rows (`B`) holding a
   * non-finite value: their cosines are not numbers, and every probe template holding such a row (all
   * of them, for a gallery row) scores NaN, as the per-pair reduction gives.
   */
  markNonFinite(A: Float32Array, B: Float32Array, d: number): void {
    // One pass over each block (io/npy.ts firstNonFinite), per row only when needed.
    const allFinite = (X: Float32Array, from: number, to: number): boolean => firstNonFinite(X.subarray(from, to)) < 0;
    if (allFinite(A, 0, this.rowNaN.length * d) && allFinite(B, 0, this.nV * d)) return;
    const anyB = !allFinite(B, 0, this.nV * d);
    for (let u = 0; u < this.rowNaN.length; u++) if (anyB || !allFinite(A, u * d, (u + 1) * d)) this.rowNaN[u] = 1;
  }

  private closeClass(c: number): void {
    const nV = this.nV;
    const h = this.heap;
    for (let q = this.p.ctOff[c]!; q < this.p.ctOff[c + 1]!; q++) {
      const t = this.p.ctList[q]! - this.p.t0;
      const o = this.oColMax + t * nV;
      if (!this.colInit[t]) {
        h.f32.copyWithin(o, this.oClass, this.oClass + nV);
        this.colInit[t] = 1;
      } else h.vmax(o, this.oClass, nV);
    }
  }

  /** Writes the scores of probe templates [t0, t1) into rows t0..t1−1 of out (row stride nG). */
  finish(out: Float32Array): void {
    try {
      this.finishScores(out);
    } finally {
      this.release();
    }
  }

  private finishScores(out: Float32Array): void {
    if (this.next !== this.p.first.length) throw new Error(`SetMatrixReducer: ${this.next} of ${this.p.first.length} distinct rows were fed`);
    const nG = this.nG;
    const nV = this.nV;
    const po = this.P.offsets;
    const go = this.G.offsets;
    const t0 = this.p.t0;
    const m0 = po[t0]!;
    const gm0 = go[0]!;
    const pmu = this.p.memberU;
    const gmu = this.g.memberU;
    const rowNaN = this.rowNaN;
    const quirk = this.quirk;
    const acc = new Float64Array(nG);
    // Gallery members in distinct-row order (the usual case: no sighting twice): their column maxima are
    // contiguous, read without the member → distinct-row indirection.
    let gIdentity = true;
    for (let b = 0; gIdentity && b < gmu.length; b++) gIdentity = gmu[b] === b;
    const f32 = this.heap.f32;
    const rm = f32.subarray(this.oRowMax, this.oRowMax + this.p.first.length * nG);
    const colMax = f32.subarray(this.oColMax, this.oColMax + (this.p.t1 - t0) * nV);
    for (let t = t0; t < this.p.t1; t++) {
      const a = po[t]!;
      const e = po[t + 1]!;
      const n1 = e - a;
      const o = t * nG;
      let nan = n1 === 0;
      for (let m = a; !nan && m < e; m++) if (rowNaN[pmu[m - m0]!]) nan = true;
      if (nan) {
        out.fill(Number.NaN, o, o + nG);
        continue;
      }
      if (gIdentity && !quirk) {
        // On the heap's kernels (wasm SIMD: float64 lanes over gallery templates), the same sums in the same order.
        const i32 = this.heap.i32;
        for (let m = a; m < e; m++) i32[this.oRowList + m - a] = this.oRowMax + pmu[m - m0]! * nG;
        this.heap.accRows(this.oAcc, this.oRowList, n1, nG);
        this.heap.setSums(this.oAcc, this.oColMax + (t - t0) * nV - gm0, this.oGo, nG, n1, this.oOut);
        out.set(f32.subarray(this.oOut, this.oOut + nG), o);
        continue;
      }
      acc.fill(0);
      for (let m = a; m < e; m++) {
        const r = pmu[m - m0]! * nG;
        for (let k = 0; k < nG; k++) acc[k]! += rm[r + k]!;
      }
      const co = (t - t0) * nV;
      for (let k = 0; k < nG; k++) {
        const ga = go[k]!;
        const ge = go[k + 1]!;
        const n2 = ge - ga;
        if (n2 === 0) {
          out[o + k] = Number.NaN;
          continue;
        }
        if (quirk && (n1 === 1 || n2 === 1)) {
          let m = Number.NEGATIVE_INFINITY;
          for (let q = a; q < e; q++) {
            const v = rm[pmu[q - m0]! * nG + k]!;
            if (v > m) m = v;
          }
          out[o + k] = m;
          continue;
        }
        let s = acc[k]!;
        if (gIdentity) for (let b = co + ga - gm0; b < co + ge - gm0; b++) s += colMax[b]!;
        else for (let b = ga - gm0; b < ge - gm0; b++) s += colMax[co + gmu[b]!]!;
        out[o + k] = s / (n1 + n2);
      }
    }
  }
}
