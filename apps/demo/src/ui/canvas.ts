/**
 * Sizes a canvas's backing store to its displayed size × devicePixelRatio (square when asked),
 * resets the transform and clears it. Returns the context, the backing-store size and the pixel ratio used.
 */
export function prepareCanvas(c: HTMLCanvasElement, square = false): { ctx: CanvasRenderingContext2D; w: number; h: number; dpr: number } {
  const r = c.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round((r.width || c.width) * dpr));
  const h = square ? w : Math.max(1, Math.round((r.height || c.height) * dpr));
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h, dpr };
}
