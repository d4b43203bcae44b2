/**
 * The page: wires the model bar, the two face cards, the score and the filter panel together.
 *
 * @module
 */
import { cosineSimilarity } from '@interpret-fr/inference';
import { FaceSlot } from './face-slot.ts';
import type { SlotHost } from './face-slot.ts';
import { defaultCrop, resizeCropAroundCentre } from './logic/crop.ts';
import { fractionRect, OCCLUSION_PRESETS } from './logic/occlusion.ts';
import type { ModelSummary } from './protocol.ts';
import { buildFaceCard } from './ui/face-card.ts';
import type { FaceCardElements } from './ui/face-card.ts';
import { CropEditor } from './ui/crop-editor.ts';
import { ModelView } from './ui/model-view.ts';
import { FilterList } from './ui/filter-list.ts';
import { cameraAvailable, captureFrame, decodeImage, startCamera } from './ui/image-source.ts';
import type { LoadedImage } from './ui/image-source.ts';
import { InferenceClient } from './worker-client.ts';
import { FilterPanel } from './filter-panel.ts';
import { alignPhoto, chooseAlignedFace } from './auto-align.ts';
import type { PhotoAlignment } from './auto-align.ts';
import { alignedWindowQuad } from './logic/aligned-input.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Face {
  slot: FaceSlot;
  els: FaceCardElements;
  crop: CropEditor;
  view: ModelView;
}

/** The whole demo. */
export class DemoApp {
  readonly client = new InferenceClient();
  model: ModelSummary | null = null;
  private modelBytes: ArrayBuffer | null = null;
  private modelName = '';
  readonly faces: Face[];
  private readonly filters: FilterPanel;
  private threshold = 0.5;
  /** performance.now() when the second image arrived, until its first score is shown. */
  private pendingSince: number | null = null;
  /** Detect and align each new photo (the "Detect and align faces" box; `?align=off` starts without). */
  autoAlign: boolean;

  constructor() {
    const host: SlotHost = {
      client: this.client,
      modelSize: () => this.model?.size ?? null,
      onAnalysis: () => this.refresh(),
      onError: (e) => this.showError(e),
    };
    const parent = $('faces');
    const autoBox = $<HTMLInputElement>('auto-align');
    if (new URLSearchParams(location.search).get('align') === 'off') autoBox.checked = false;
    this.autoAlign = autoBox.checked;
    autoBox.addEventListener('change', () => {
      this.autoAlign = autoBox.checked;
      for (const f of this.faces) {
        if (!f.slot.image) continue;
        if (!this.autoAlign) f.slot.setMode('manual');
        else if (f.slot.alignment) f.slot.setMode('aligned');
        else void this.detect(f);
        this.syncCropControls(f);
      }
      this.filters.renderViews();
    });
    this.faces = (['A', 'B'] as const).map((label) => {
      const els = buildFaceCard(parent, label);
      const slot = new FaceSlot(label, host);
      const face: Face = {
        slot,
        els,
        crop: new CropEditor(
          els.source,
          (box) => {
            slot.setCrop(box);
            this.syncCropControls(face);
            this.filters.renderViews();
          },
          (k) => this.pickFace(face, k),
        ),
        view: new ModelView(els.model, (rect) => {
          slot.setOcclusion(rect);
          els.occPreset.value = rect ? 'custom' : '';
          els.occClear.disabled = !rect;
          this.filters.renderViews();
        }),
      };
      this.wireFace(face);
      return face;
    });
    this.filters = new FilterPanel(
      this.faces.map((f) => ({ slot: f.slot, view: f.view, affected: f.els.affected })),
      new FilterList($('filter-list'), (c) => this.filters.select(c)),
    );
    const th = $<HTMLInputElement>('threshold');
    th.addEventListener('input', () => {
      this.threshold = Number(th.value);
      $('threshold-value').textContent = this.threshold.toFixed(2);
      this.renderScore();
    });
    $<HTMLInputElement>('model-file').addEventListener('change', async (e) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) await this.loadModel(await f.arrayBuffer(), f.name);
    });
    $<HTMLInputElement>('webgpu').addEventListener('change', () => {
      if (this.modelBytes) void this.loadModel(this.modelBytes, this.modelName);
    });
    new ResizeObserver(() => {
      for (const f of this.faces) f.crop.draw();
      this.filters.renderViews();
    }).observe(parent);
  }

  private wireFace(face: Face): void {
    const { els, slot } = face;
    els.file.addEventListener('change', async () => {
      const f = els.file.files?.[0];
      if (f) await this.setImage(face, () => decodeImage(f, f.name));
      els.file.value = '';
    });
    els.root.addEventListener('dragover', (e) => {
      e.preventDefault();
      els.root.classList.add('dragging');
    });
    els.root.addEventListener('dragleave', () => els.root.classList.remove('dragging'));
    els.root.addEventListener('drop', async (e) => {
      e.preventDefault();
      els.root.classList.remove('dragging');
      const f = e.dataTransfer?.files?.[0];
      if (f) await this.setImage(face, () => decodeImage(f, f.name));
    });
    if (cameraAvailable()) {
      els.camera.hidden = false;
      els.camera.addEventListener('click', () => void this.camera(face));
    }
    els.alignMode.addEventListener('click', () => {
      slot.setMode(slot.mode === 'aligned' ? 'manual' : 'aligned');
      this.syncCropControls(face);
      this.filters.renderViews();
    });
    els.landmarks.addEventListener('change', () => this.syncCropControls(face));
    els.cropSize.addEventListener('input', () => {
      if (!slot.image) return;
      slot.setCrop(resizeCropAroundCentre(slot.manualCrop, Number(els.cropSize.value), slot.image.pixels.width, slot.image.pixels.height));
      this.syncCropControls(face);
      this.filters.renderViews();
    });
    els.cropReset.addEventListener('click', () => {
      if (!slot.image) return;
      slot.setCrop(defaultCrop(slot.image.pixels.width, slot.image.pixels.height));
      this.syncCropControls(face);
      this.filters.renderViews();
    });
    els.occPreset.addEventListener('change', () => {
      const p = OCCLUSION_PRESETS[els.occPreset.value];
      const S = this.model?.size;
      if (els.occPreset.value === 'custom') return;
      slot.setOcclusion(p && S ? fractionRect(p[0], p[1], p[2], p[3], S) : null);
      els.occClear.disabled = !slot.occlusion;
      this.filters.renderViews();
    });
    els.occClear.addEventListener('click', () => {
      slot.setOcclusion(null);
      els.occPreset.value = '';
      els.occClear.disabled = true;
      this.filters.renderViews();
    });
  }

  private async setImage(face: Face, load: () => Promise<LoadedImage>): Promise<void> {
    const t0 = performance.now();
    try {
      const img = await load();
      this.hideError();
      face.slot.setImage(img, this.autoAlign);
      face.els.name.textContent = `· ${img.name}`;
      face.els.occPreset.value = '';
      face.els.occClear.disabled = true;
      if (this.faces.every((f) => f.slot.image)) this.pendingSince = t0;
      this.syncCropControls(face);
      this.filters.renderViews();
      if (this.autoAlign) await this.detect(face);
    } catch (e) {
      this.showError(e);
    }
  }

  /**
   * Detects and aligns the faces of a slot's photo; the aligned face becomes the model input, or
   * the manual crop box when none is found or detection fails. A result for a photo that has been
   * replaced meanwhile is dropped.
   */
  private async detect(face: Face): Promise<void> {
    const img = face.slot.image;
    if (!img) return;
    face.els.root.dataset.align = 'detecting';
    face.els.alignInfo.textContent = 'Detecting faces…';
    let result: PhotoAlignment | null = null;
    try {
      result = await alignPhoto(img.pixels);
    } catch (e) {
      if (face.slot.image === img) this.showError(e);
    }
    if (face.slot.image !== img) return;
    face.slot.setAlignment(result);
    if (!this.autoAlign) face.slot.setMode('manual', true); // switched off while detecting
    face.els.root.dataset.align = !result ? 'error' : result.aligned ? 'aligned' : 'none';
    this.syncCropControls(face);
    this.filters.renderViews();
  }

  /** Aligns another detected face of the same photo (a click on its box). */
  private pickFace(face: Face, k: number): void {
    const img = face.slot.image;
    const prev = face.slot.alignment;
    if (!img || !prev) return;
    const next = chooseAlignedFace(img.pixels, prev, k);
    face.slot.setAlignment(next);
    this.syncCropControls(face);
    this.filters.renderViews();
  }

  private async camera(face: Face): Promise<void> {
    const dialog = $<HTMLDialogElement>('camera-dialog');
    const video = $<HTMLVideoElement>('camera-video');
    let stop: (() => void) | null = null;
    const close = () => {
      stop?.();
      if (dialog.open) dialog.close();
    };
    dialog.showModal();
    $('camera-cancel').onclick = close;
    dialog.onclose = () => stop?.();
    $('camera-capture').onclick = async () => {
      const frame = captureFrame(video);
      close();
      await this.setImage(face, () => frame);
    };
    try {
      stop = await startCamera(video);
    } catch (e) {
      close();
      this.showError(new Error(`the camera could not be started: ${(e as Error).message}`));
    }
  }

  private syncCropControls(face: Face): void {
    const { slot, els } = face;
    const img = slot.image;
    if (!img) return;
    const { width: w, height: h } = img.pixels;
    const al = slot.alignment;
    const aligned = slot.mode === 'aligned' && !!al?.aligned;
    const overlay =
      al && al.faces.length > 0
        ? { faces: al.faces, chosen: al.chosen, landmarks: els.landmarks.checked, window: aligned ? alignedWindowQuad(al.aligned!.transform) : null }
        : null;
    face.crop.set({ bitmap: img.bitmap, width: w, height: h }, slot.crop, overlay);
    els.alignMode.disabled = !al?.aligned;
    els.alignMode.textContent = aligned ? 'Adjust the crop by hand' : 'Use the detected face';
    els.alignMode.hidden = !this.autoAlign && !al;
    els.alignInfo.textContent = this.alignText(face);
    els.cropSize.min = String(Math.min(8, Math.min(w, h)));
    els.cropSize.max = String(Math.min(w, h));
    els.cropSize.value = String(slot.manualCrop.size);
    els.cropSize.disabled = false;
    els.cropReset.disabled = false;
    els.occPreset.disabled = !this.model;
    const S = this.model?.size;
    if (aligned) {
      els.cropInfo.textContent = `Image ${w}×${h}; aligned face on the 110×110 template, centre 96×96` + (S ? ` → ${S}×${S}` : '');
      return;
    }
    els.cropInfo.textContent = `Image ${w}×${h}; crop ${slot.crop.size}×${slot.crop.size} at (${slot.crop.x}, ${slot.crop.y})` + (S ? ` → ${S}×${S}` : '');
  }

  /** The detector's one-line summary for a face card. */
  private alignText(face: Face): string {
    const { slot } = face;
    if (slot.mode === 'detecting') return 'Detecting faces…';
    const al = slot.alignment;
    if (!al) return this.autoAlign ? 'Face detection failed: crop by hand.' : 'Automatic alignment is off: crop by hand.';
    const ms = `${(al.detectMs + al.alignMs).toFixed(0)} ms, ${al.backend}`;
    if (al.faces.length === 0) return `No face found (${ms}): crop by hand.`;
    const f = al.faces[al.chosen]!;
    const src = f.source === 'padded' ? 'found after padding' : f.source;
    const many = al.faces.length > 1 ? `${al.faces.length} faces; using face ${al.chosen + 1} (click another box to choose it)` : '1 face';
    return `${many}: ${src}, score ${f.score.toFixed(2)} (${ms})${slot.mode === 'aligned' ? '' : '; crop set by hand'}.`;
  }

  /** Loads model bytes in the worker; keeps the previous model when this one is refused. */
  async loadModel(bytes: ArrayBuffer, name: string): Promise<void> {
    const status = $('model-status');
    status.textContent = `Loading ${name}…`;
    try {
      const webgpu = $<HTMLInputElement>('webgpu').checked;
      const { model, notes } = await this.client.load(bytes.slice(0), name, webgpu);
      this.model = model;
      this.modelBytes = bytes;
      this.modelName = name;
      this.hideError();
      const maps = model.mapDims ? `${model.mapDims[0]} filters, ${model.mapDims[1]}×${model.mapDims[2]} maps` : 'no response maps (similarity only)';
      status.textContent = `Model ${name}${model.specName ? ` (${model.specName})` : ''}: ${model.size}×${model.size} input, ${model.dim}-d embedding, ${maps}; ${model.provider}, loaded in ${model.loadMs.toFixed(0)} ms.${notes.length ? ' ' + notes.join(' ') : ''}`;
      document.body.dataset.modelReady = 'true';
      for (const f of this.faces) {
        f.slot.reset();
        this.syncCropControls(f);
      }
      this.filters.setModel(model);
      this.refresh();
    } catch (e) {
      status.textContent = this.model ? `Still using ${this.modelName}.` : 'No model loaded: choose an Interpret-FR .onnx file.';
      this.showError(e, `${name} cannot be used`);
    }
  }

  /** After any analysis: score, filter list and views. */
  refresh(): void {
    this.renderScore();
    this.filters.refresh();
  }

  private renderScore(): void {
    const [a, b] = this.faces.map((f) => f.slot);
    const out = $('score');
    const decision = $('decision');
    const note = $('score-note');
    if (!a!.current || !b!.current) {
      out.textContent = '–';
      delete out.dataset.value;
      note.textContent = '';
      decision.textContent = this.model ? 'Load two faces to compare them.' : 'Load a model first.';
      decision.className = 'decision';
      return;
    }
    const s = cosineSimilarity(a!.current.embedding, b!.current.embedding);
    out.textContent = s.toFixed(4);
    out.dataset.value = String(s);
    const same = s >= this.threshold;
    decision.textContent = same ? `Same person (${s.toFixed(3)} ≥ ${this.threshold.toFixed(2)})` : `Different people (${s.toFixed(3)} < ${this.threshold.toFixed(2)})`;
    decision.className = `decision ${same ? 'same' : 'different'}`;
    if ((a!.occlusion || b!.occlusion) && a!.base && b!.base) {
      const s0 = cosineSimilarity(a!.base.embedding, b!.base.embedding);
      const d = s - s0;
      note.textContent = `without occluder ${s0.toFixed(4)} (occluder ${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)})`;
    } else note.textContent = '';
    if (this.pendingSince !== null && a!.fresh && b!.fresh) {
      document.body.dataset.scoreLatencyMs = (performance.now() - this.pendingSince).toFixed(1);
      document.body.dataset.inferenceMs = `${a!.lastAnalyzeMs.toFixed(1)},${b!.lastAnalyzeMs.toFixed(1)}`;
      this.pendingSince = null;
    }
  }

  showError(e: unknown, prefix?: string): void {
    const el = $('error');
    const msg = e instanceof Error ? e.message : String(e);
    el.textContent = prefix ? `${prefix}: ${msg}` : msg;
    el.hidden = false;
  }

  hideError(): void {
    $('error').hidden = true;
  }
}
