/**
 * The source view: the whole picked image with the crop box on top. Drag inside the box to move it, drag
 * a corner handle to resize; with the canvas focused, arrow keys move (Shift: 10 px) and +/− resize.
 *
 * With detected faces (the third argument of {@link CropEditor.set}) every face is outlined (the chosen one in yellow),
 * the 68 landmarks are drawn on request, and while the aligned face is the model input the view shows
 * the model window of the aligned crop (a square, rotated with the face) instead of the crop box;
 * clicking another face's box then chooses it.
 *
 * @module
 */
import { clampCrop, fitView, hitCrop, moveCrop, resizeCropAroundCentre, resizeCropFromCorner, sourceToView, viewToSource } from '../logic/crop.ts';
import type { Corner, CropBox, ViewTransform } from '../logic/crop.ts';
import { prepareCanvas } from './canvas.ts';

/** Current image of the editor. */
export interface CropImage {
  bitmap: ImageBitmap;
  width: number;
  height: number;
}

/** Detected faces drawn over the image. */
export interface FaceOverlay {
  faces: readonly { box: { x: number; y: number; width: number; height: number }; landmarks68: ArrayLike<number> }[];
  /** Index of the chosen face (−1: none). */
  chosen: number;
  /** Draw the 68 landmarks of every face. */
  landmarks: boolean;
  /** The aligned model window in photo coordinates (4 corners, x,y interleaved) when the aligned face is the model input; null in manual mode. */
  window: ArrayLike<number> | null;
}

/** Crop box editor over a canvas. */
export class CropEditor {
  private image: CropImage | null = null;
  private box: CropBox = { x: 0, y: 0, size: 1 };
  private drag: { mode: Corner | 'inside'; startX: number; startY: number; startBox: CropBox } | null = null;
  private overlay: FaceOverlay | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (box: CropBox, final: boolean) => void,
    private readonly onPickFace: (index: number) => void = () => {},
  ) {
    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.pointerUp(e));
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /** Shows an image with a box, and its detected faces when given (null clears them; omitted keeps them). */
  set(image: CropImage | null, box: CropBox, faces?: FaceOverlay | null): void {
    this.image = image;
    this.box = box;
    if (faces !== undefined) this.overlay = faces;
    this.draw();
  }

  private get aligned(): boolean {
    return !!this.overlay?.window;
  }

  /** Index of the face whose box contains the source point (the smallest such box), or −1. */
  private faceAt(x: number, y: number): number {
    let best = -1,
      area = Infinity;
    this.overlay?.faces.forEach((f, i) => {
      const b = f.box;
      if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height && b.width * b.height < area) {
        best = i;
        area = b.width * b.height;
      }
    });
    return best;
  }

  private view(): ViewTransform | null {
    if (!this.image) return null;
    const r = this.canvas.getBoundingClientRect();
    return fitView(this.image.width, this.image.height, r.width || this.canvas.width, r.height || this.canvas.height);
  }

  private toSource(e: PointerEvent): [number, number] | null {
    const v = this.view();
    if (!v) return null;
    const r = this.canvas.getBoundingClientRect();
    return viewToSource(v, e.clientX - r.left, e.clientY - r.top);
  }

  private pointerDown(e: PointerEvent): void {
    const p = this.toSource(e);
    const v = this.view();
    if (!p || !v) return;
    if (this.aligned) {
      const k = this.faceAt(p[0], p[1]);
      if (k >= 0 && k !== this.overlay!.chosen) {
        e.preventDefault();
        this.onPickFace(k);
      }
      return;
    }
    const hit = hitCrop(this.box, p[0], p[1], 12 / v.scale);
    if (!hit) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { mode: hit, startX: p[0], startY: p[1], startBox: this.box };
  }

  private pointerMove(e: PointerEvent): void {
    const p = this.toSource(e);
    if (!p || !this.image) return;
    if (!this.drag) {
      const v = this.view()!;
      if (this.aligned) {
        const k = this.faceAt(p[0], p[1]);
        this.canvas.style.cursor = k >= 0 && k !== this.overlay!.chosen ? 'pointer' : 'default';
        return;
      }
      const hit = hitCrop(this.box, p[0], p[1], 12 / v.scale);
      this.canvas.style.cursor = hit === 'inside' ? 'move' : hit === 'nw' || hit === 'se' ? 'nwse-resize' : hit ? 'nesw-resize' : 'default';
      return;
    }
    const { width: w, height: h } = this.image;
    const d = this.drag;
    this.box = d.mode === 'inside' ? moveCrop(d.startBox, p[0] - d.startX, p[1] - d.startY, w, h) : resizeCropFromCorner(d.startBox, d.mode, p[0], p[1], w, h);
    this.draw();
    this.onChange(this.box, false);
  }

  private pointerUp(e: PointerEvent): void {
    if (!this.drag) return;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.onChange(this.box, true);
  }

  private key(e: KeyboardEvent): void {
    if (!this.image || this.aligned) return;
    const { width: w, height: h } = this.image;
    const step = e.shiftKey ? 10 : 1;
    let next: CropBox | null = null;
    if (e.key === 'ArrowLeft') next = moveCrop(this.box, -step, 0, w, h);
    else if (e.key === 'ArrowRight') next = moveCrop(this.box, step, 0, w, h);
    else if (e.key === 'ArrowUp') next = moveCrop(this.box, 0, -step, w, h);
    else if (e.key === 'ArrowDown') next = moveCrop(this.box, 0, step, w, h);
    else if (e.key === '+' || e.key === '=') next = resizeCropAroundCentre(this.box, this.box.size + 2 * step, w, h);
    else if (e.key === '-' || e.key === '_') next = resizeCropAroundCentre(this.box, this.box.size - 2 * step, w, h);
    if (!next) return;
    e.preventDefault();
    this.box = next;
    this.draw();
    this.onChange(this.box, true);
  }

  /** Redraws the image, the dimmed outside and the box with its handles. */
  draw(): void {
    const c = this.canvas;
    const { ctx, dpr } = prepareCanvas(c);
    const v = this.view();
    if (!v || !this.image) return;
    ctx.scale(dpr, dpr);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.image.bitmap, v.offsetX, v.offsetY, this.image.width * v.scale, this.image.height * v.scale);
    if (this.overlay?.window) {
      this.drawAligned(ctx, v, this.overlay.window);
      this.drawFaces(ctx, v);
      return;
    }
    this.drawBox(ctx, v);
    this.drawFaces(ctx, v);
  }

  /** The dimmed outside and the aligned model window (a square of the aligned frame, possibly rotated). */
  private drawAligned(ctx: CanvasRenderingContext2D, v: ViewTransform, q: ArrayLike<number>): void {
    const pts = [0, 1, 2, 3].map((k) => sourceToView(v, q[2 * k]!, q[2 * k + 1]!));
    ctx.fillStyle = 'rgba(0,0,0,0.5)';
    ctx.beginPath();
    ctx.rect(v.offsetX, v.offsetY, this.image!.width * v.scale, this.image!.height * v.scale);
    ctx.moveTo(pts[0]![0], pts[0]![1]);
    for (const k of [3, 2, 1]) ctx.lineTo(pts[k]![0], pts[k]![1]);
    ctx.closePath();
    ctx.fill('evenodd');
    ctx.strokeStyle = '#ffd400';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(pts[0]![0], pts[0]![1]);
    for (const k of [1, 2, 3]) ctx.lineTo(pts[k]![0], pts[k]![1]);
    ctx.closePath();
    ctx.stroke();
  }

  /** Face boxes (chosen: yellow dashed; others: white dashed) and, on request, the landmarks. */
  private drawFaces(ctx: CanvasRenderingContext2D, v: ViewTransform): void {
    const o = this.overlay;
    if (!o) return;
    ctx.save();
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    o.faces.forEach((f, i) => {
      const [x, y] = sourceToView(v, f.box.x, f.box.y);
      ctx.strokeStyle = i === o.chosen ? '#ffd400' : '#ffffff';
      ctx.strokeRect(x, y, f.box.width * v.scale, f.box.height * v.scale);
    });
    ctx.setLineDash([]);
    if (o.landmarks) {
      const r = Math.max(1.2, Math.min(3, v.scale * 1.5));
      o.faces.forEach((f, i) => {
        ctx.fillStyle = i === o.chosen ? '#00e5ff' : '#ff7ad9';
        for (let k = 0; k < 68; k++) {
          // landmarks are in pixel-centre coordinates
          const [x, y] = sourceToView(v, f.landmarks68[2 * k]! + 0.5, f.landmarks68[2 * k + 1]! + 0.5);
          ctx.beginPath();
          ctx.arc(x, y, r, 0, 2 * Math.PI);
          ctx.fill();
        }
      });
    }
    ctx.restore();
  }

  /** The dimmed outside and the crop box with its handles. */
  private drawBox(ctx: CanvasRenderingContext2D, v: ViewTransform): void {
    const box = clampCrop(this.box, this.image!.width, this.image!.height);
    const [x0, y0] = sourceToView(v, box.x, box.y);
    const s = box.size * v.scale;
    ctx.fillStyle = 'rgba(0,0,0,0.5)';
    ctx.beginPath();
    ctx.rect(v.offsetX, v.offsetY, this.image!.width * v.scale, this.image!.height * v.scale);
    ctx.rect(x0 + s, y0, -s, s); // counter-clockwise hole
    ctx.fill('evenodd');
    ctx.strokeStyle = '#ffd400';
    ctx.lineWidth = 2;
    ctx.strokeRect(x0, y0, s, s);
    ctx.fillStyle = '#ffd400';
    for (const [hx, hy] of [
      [x0, y0],
      [x0 + s, y0],
      [x0, y0 + s],
      [x0 + s, y0 + s],
    ] as const)
      ctx.fillRect(hx - 5, hy - 5, 10, 10);
  }
}
