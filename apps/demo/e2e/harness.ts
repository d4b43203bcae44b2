/**
 * What the browser tests and the browser benchmark share: a production build of the demo in a temp
 * folder, the static server, Debian's Chromium through playwright-core (never a downloaded browser),
 * the shared real-face data folder, and the page's alignment read back into Node.
 *
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { serveStatic } from './serve.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const APP_DIR = resolve(here, '..');
export const REPO = resolve(APP_DIR, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The shared real-face data (LFW-a, AT&T/ORL): `$INTERPRET_FR_DATA`, else `../shared/data` beside the repo. */
export const DATA_DIR = process.env.INTERPRET_FR_DATA ?? resolve(REPO, '../shared/data');

/** Chromium flags of every browser test (headless, no GPU, nothing phoned home). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A built and served demo in headless Chromium. */
export interface DemoHarness {
  url: string;
  origin: string;
  browser: Browser;
  outDir: string;
  close(): Promise<void>;
}

/** `vite build` of the demo into a temp folder (`prepare` may add files to it), served on 127.0.0.1, and Chromium launched. */
export async function startDemo(prepare?: (outDir: string) => void): Promise<DemoHarness> {
  const outDir = mkdtempSync(join(tmpdir(), 'interpret-fr-demo-dist-'));
  const { build } = await import('vite');
  await build({ root: APP_DIR, configFile: resolve(APP_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  prepare?.(outDir);
  const server = await serveStatic(outDir);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    url: server.url,
    origin: new URL(server.url).origin,
    browser,
    outDir,
    async close() {
      await browser.close();
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** True when Chromium is installed. */
export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** One face of the page's detection, as plain numbers. */
export interface PageFace {
  box: [number, number, number, number];
  score: number;
  source: string;
  landmarks68: number[];
}

/** The page's detection + alignment of one photo, as plain numbers. */
export interface PageAlignment {
  width: number;
  height: number;
  channels: number;
  faces: PageFace[];
  chosen: number;
  /** The 110 aligned crop's bytes (the page's RGBA) or null. */
  crop: number[] | null;
  detectMs: number;
  alignMs: number;
  backend: string;
}

/**
 * Runs the page's own `alignPhoto` (window.interpretFrDemo) on image bytes decoded by the page's
 * own `decodeImage`, and returns the result.
 */
export async function alignInPage(page: Page, bytes: Uint8Array, name: string): Promise<PageAlignment> {
  return page.evaluate(
    async ({ data, name }) => {
      const api = (window as unknown as { interpretFrDemo: import('../src/main.ts').DemoScripting }).interpretFrDemo;
      const img = await api.decodeImage(new Blob([new Uint8Array(data)]), name);
      img.bitmap.close();
      const a = await api.alignPhoto(img.pixels);
      return {
        width: img.pixels.width,
        height: img.pixels.height,
        channels: img.pixels.channels,
        faces: a.faces.map((f) => ({
          box: [f.box.x, f.box.y, f.box.width, f.box.height] as [number, number, number, number],
          score: f.score,
          source: f.source,
          landmarks68: Array.from(f.landmarks68),
        })),
        chosen: a.chosen,
        crop: a.aligned ? Array.from(a.aligned.pixels.data) : null,
        detectMs: a.detectMs,
        alignMs: a.alignMs,
        backend: a.backend,
      };
    },
    { data: Array.from(bytes), name },
  );
}
