#!/usr/bin/env node
/**
 * Consumer test: do the packages work in an app OUTSIDE this monorepo, installed with npm?
 *
 * Builds every library package (`pnpm build`), packs each (`pnpm pack`: `workspace:*` becomes the
 * version), installs the tarballs with npm into a temporary app under the OS temp folder
 * (ONNXRUNTIME_NODE_INSTALL=skip), then runs the checks below. The app's files are the committed
 * `scripts/consumer/*` (the README's "Use it in your app" snippets are these files).
 *
 *   esm   `node embed.mjs` (onnxruntime-node) prints the fixture model's embedding = the expected JSON
 *   cjs   the same from `embed.cjs` with require()
 *   tsc   `tsc --noEmit` (strict, NodeNext, skipLibCheck false) on a file importing every public entry point
 *   web   `vite build` (no config) of a page using `@interpret-fr/inference/web`, opened in Chromium
 *         (/usr/bin/chromium through playwright-core), shows the same embedding
 *   bins  `npx interpret-fr-eval|export|train|prepare --help` exit 0
 *   eval-ijba `npx interpret-fr-eval ijba` on a small synthetic protocol (the installed sh command starts node with its
 *         flags) and `node …/bin/interpret-fr-eval.mjs ijba` (the portable stub, which relaunches node with them) give
 *         the metrics of the same command in process on one thread (INTERPRET_FR_EVAL_CONCURRENT_GC=1, --threads 1)
 *   photos `node compare-photos.mjs` (align + inference, the shipped models/interpret-fr-lfw.onnx) on two real LFW-a
 *         photos prints the cosine the same script gives inside the repository (needs ../shared/data; required
 *         when INTERPRET_FR_REQUIRE_DATA=1, as in CI)
 *
 * Prints `consumer <check>: PASS|FAIL (…)` per check, writes the results to `.consumer-report.json`
 * (scripts/test-ci.mjs counts them in its closing line), exits 1 if any failed.
 * Flags: `--keep` keeps the temp app; `--app DIR` uses DIR; `--skip-install` reuses DIR's install.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const repo = resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({ options: { keep: { type: 'boolean' }, app: { type: 'string' }, 'skip-install': { type: 'boolean' } } });
const report = resolve(repo, '.consumer-report.json');
const results = [];
const t0 = performance.now();
const log = (s) => process.stdout.write(`consumer: ${s}\n`);

function record(name, ok, detail, ms) {
  results.push({ name, ok, detail, ms: Math.round(ms) });
  log(`${name}: ${ok ? 'PASS' : 'FAIL'} (${(ms / 1000).toFixed(1)} s)${detail ? ` ${detail}` : ''}`);
}
async function check(name, fn) {
  const t = performance.now();
  try {
    record(name, true, (await fn()) ?? '', performance.now() - t);
  } catch (e) {
    record(name, false, (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 12).join('\n    '), performance.now() - t);
  }
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-4000)}`);
  return r.stdout;
}
function finish() {
  writeFileSync(report, `${JSON.stringify({ checks: results, seconds: (performance.now() - t0) / 1000 }, null, 2)}\n`);
  const failed = results.filter((r) => !r.ok).length;
  log(`${results.length - failed} passed, ${failed} failed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(failed ? 1 : 0);
}

// Tools outside the monorepo see neither our NODE_OPTIONS condition nor pnpm's environment.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_') && !k.startsWith('PNPM_')));
const appEnv = { ...cleanEnv, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

const libs = readdirSync(resolve(repo, 'packages')).filter((d) => existsSync(resolve(repo, 'packages', d, 'package.json')));
// Library packages (private ones, like the study, are repository tools, not published).
const pkgs = libs
  .map((d) => ({ dir: resolve(repo, 'packages', d), json: JSON.parse(readFileSync(resolve(repo, 'packages', d, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private);
const app = flags.app ? resolve(flags.app) : mkdtempSync(join(tmpdir(), 'interpret-fr-consumer-'));
const fixture = resolve(repo, 'packages/inference/test/fixtures');
const expected = JSON.parse(readFileSync(resolve(fixture, 'interpretable-tiny.expected.json'), 'utf8'));
const want = expected.embedding[0];

function compare(stdout, what) {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let got;
  try {
    got = JSON.parse(line);
  } catch {
    throw new Error(`${what} printed ${JSON.stringify(line.slice(0, 200))}, expected a JSON array`);
  }
  if (!Array.isArray(got) || got.length !== want.length) throw new Error(`${what}: ${got?.length} values, expected ${want.length}`);
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...got.map((v, i) => Math.abs(v - want[i]))) / scale;
  if (!(err <= 1e-4)) throw new Error(`${what}: max relative difference ${err.toExponential(2)} from the expected embedding (tolerance 1e-4)`);
  return `embedding[${got.length}] within ${err.toExponential(1)} of the expected`;
}

// 1. build + pack + install ------------------------------------------------------------------------
let ready = !!flags['skip-install'];
if (!ready)
  await check('install', () => {
    const t = performance.now();
    run('pnpm', ['-s', 'build'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const tBuild = performance.now() - t;
    const tarballs = resolve(app, 'tarballs');
    rmSync(tarballs, { recursive: true, force: true });
    mkdirSync(tarballs, { recursive: true });
    for (const p of pkgs) run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.dir });
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    // The versions the monorepo tests with (read from its node_modules links).
    const v = (name, from = 'packages/inference') => JSON.parse(readFileSync(resolve(repo, from, 'node_modules', name, 'package.json'), 'utf8')).version;
    const rootReq = '.';
    const demoReq = 'apps/demo';
    writeFileSync(resolve(app, 'package.json'), `${JSON.stringify({ name: 'interpret-fr-consumer', private: true, version: '0.0.0' }, null, 2)}\n`);
    const deps = [
      ...files,
      `onnxruntime-node@${v('onnxruntime-node')}`,
      `onnxruntime-web@${v('onnxruntime-web')}`,
      `typescript@${v('typescript', rootReq)}`,
      `@types/node@${v('@types/node', rootReq)}`,
      `vite@${v('vite', demoReq)}`,
      `playwright-core@${v('playwright-core', demoReq)}`,
    ];
    const t1 = performance.now();
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...deps], { cwd: app, env: appEnv });
    for (const f of ['embed.mjs', 'embed.cjs', 'compare-photos.mjs']) copyFileSync(resolve(repo, 'scripts/consumer', f), resolve(app, f));
    copyFileSync(resolve(repo, 'models/interpret-fr-lfw.onnx'), resolve(app, 'interpret-fr-lfw.onnx'));
    copyFileSync(resolve(fixture, 'interpretable-tiny.onnx'), resolve(app, 'model.onnx'));
    writeFileSync(resolve(app, 'face.json'), JSON.stringify(expected.inputs[0]));
    ready = true;
    return `${files.length} tarballs (${files.map((f) => f.split('/').at(-1)).join(', ')}); build ${(tBuild / 1000).toFixed(0)} s, npm install ${((performance.now() - t1) / 1000).toFixed(0)} s; app ${app}`;
  });
if (!ready) finish();

// 2. checks ------------------------------------------------------------------------------------------
await check('esm', () => compare(run('node', ['embed.mjs', 'model.onnx', 'face.json'], { cwd: app, env: cleanEnv }), 'node embed.mjs'));
await check('cjs', () => compare(run('node', ['embed.cjs', 'model.onnx', 'face.json'], { cwd: app, env: cleanEnv }), 'node embed.cjs'));

await check('tsc', () => {
  // Public entry points: every `exports` key with a `types` condition (an entry mapped only under
  // the `@interpret-fr/source` condition, like the trainer's `./internal`, does not resolve outside
  // this repository).
  const entries = pkgs.flatMap((p) =>
    Object.entries(p.json.exports ?? {})
      .filter(([k, v]) => !k.endsWith('.json') && typeof v === 'object' && v !== null && 'types' in v)
      .map(([k]) => `${p.json.name}${k.slice(1)}`),
  );
  const ident = (s) => s.replace(/^@interpret-fr\//, '').replace(/[^a-zA-Z0-9]+(.)/g, (_, c) => c.toUpperCase());
  const src = [
    '// Generated by scripts/consumer-test.mjs: every public entry point, type-checked as a user would.',
    ...entries.map((e) => `import * as ${ident(e)} from '${e}';`),
    "import type { Embeddings, Pixels } from '@interpret-fr/core';",
    '',
    'const face: Pixels = { data: new Uint8Array(48 * 48 * 3), width: 48, height: 48, channels: 3 };',
    'export async function embedOne(path: string): Promise<Float32Array> {',
    '  const rec = await inferenceNode.createRecognizer(path);',
    '  const e: Embeddings = await rec.embed([face]);',
    '  await rec.dispose();',
    '  return core.embeddingRow(e, 0);',
    '}',
    `export const all = [${entries.map(ident).join(', ')}];`,
    '',
  ].join('\n');
  writeFileSync(resolve(app, 'entries.mts'), src);
  const tsconfig = {
    compilerOptions: {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
      lib: ['ES2022', 'DOM'],
    },
    files: ['entries.mts'],
  };
  writeFileSync(resolve(app, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const r = spawnSync('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: app, env: cleanEnv, encoding: 'utf8' });
  const diags = (r.stdout + r.stderr).split('\n').filter((l) => /error TS\d+/.test(l));
  // Every error counts, ours and third-party ones alike: a public declaration that pulls in a
  // library whose own .d.ts fails under skipLibCheck: false fails the user's build too.
  if (diags.length || r.status !== 0) {
    const where = [...new Set(diags.map((l) => l.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? l.split('(')[0]))];
    throw new Error(`tsc: ${diags.length} errors (in ${where.join(', ') || 'no file named'}), expected 0\n${(diags.length ? diags : [r.stdout, r.stderr]).join('\n')}`);
  }
  return `${entries.length} entry points type-check with 0 errors (${entries.join(', ')})`;
});

await check('web', async () => {
  const web = resolve(app, 'web');
  rmSync(web, { recursive: true, force: true });
  cpSync(resolve(repo, 'scripts/consumer/web'), web, { recursive: true });
  mkdirSync(resolve(web, 'public/ort'), { recursive: true });
  const ortDist = resolve(app, 'node_modules/onnxruntime-web/dist');
  for (const f of readdirSync(ortDist).filter((f) => /^ort-wasm-simd-threaded\.jsep\.(wasm|mjs)$/.test(f))) copyFileSync(resolve(ortDist, f), resolve(web, 'public/ort', f));
  copyFileSync(resolve(app, 'model.onnx'), resolve(web, 'public/model.onnx'));
  copyFileSync(resolve(app, 'face.json'), resolve(web, 'public/face.json'));
  run('node', [resolve(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: web, env: cleanEnv });
  const root = resolve(web, 'dist');
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.wasm': 'application/wasm',
    '.json': 'application/json',
    '.onnx': 'application/octet-stream',
  };
  const server = createServer((req, res) => {
    const path = resolve(root, `.${decodeURIComponent(new URL(req.url, 'http://x').pathname)}`);
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { chromium } = createRequire(resolve(app, 'package.json'))('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    // Generous: compiling ORT's wasm takes 25–40 s on a loaded 2-core machine and over a minute under heavy load.
    await page.waitForSelector('#out[data-done]', { timeout: 240_000 });
    const text = await page.textContent('#out');
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return compare(text ?? '', 'the Vite page in Chromium');
  } finally {
    await browser.close();
    server.close();
  }
});

await check('bins', () => {
  const bins = pkgs.flatMap((p) => Object.keys(p.json.bin ?? {}));
  for (const b of bins) {
    const out = run('npx', ['--no-install', b, '--help'], { cwd: app, env: appEnv });
    if (!out.includes(b)) throw new Error(`npx ${b} --help printed no usage naming ${b}: ${out.slice(0, 200)}`);
  }
  return `npx ${bins.join(', ')} --help exit 0`;
});

await check('eval-ijba', () => {
  // The installed command (bin/interpret-fr-eval, sh, linked by npm) starts node for `ijba` with the V8 flags and malloc
  // tunables (src/cli/launch.ts), the .mjs stub relaunches node with them; both reports must equal the one scored in
  // process on one thread without either (INTERPRET_FR_EVAL_CONCURRENT_GC=1).
  const dir = join(app, 'ijba');
  const make = [
    "import { syntheticIjba } from '@interpret-fr/eval';",
    "import { writeFeatures, writeFileMap } from '@interpret-fr/eval/node';",
    'const s = syntheticIjba({ seed: 5, splits: 10, subjects: 20, gallerySubjects: 12 });',
    `await writeFileMap(${JSON.stringify(join(dir, 'protocol'))}, s.files);`,
    `await writeFeatures(${JSON.stringify(join(dir, 'f.npy'))}, ${JSON.stringify(join(dir, 'ids.txt'))}, { data: s.features, n: s.ids.length, dim: s.dim }, s.ids);`,
  ].join('\n');
  run('node', ['--input-type=module', '-e', make], { cwd: app, env: cleanEnv });
  const args = ['ijba', '--protocol', join(dir, 'protocol'), '--features', join(dir, 'f.npy'), '--ids', join(dir, 'ids.txt')];
  run('npx', ['--no-install', 'interpret-fr-eval', ...args, '--out', join(dir, 'a')], { cwd: app, env: appEnv });
  run('npx', ['--no-install', 'interpret-fr-eval', ...args, '--out', join(dir, 'b'), '--threads', '1'], { cwd: app, env: { ...appEnv, INTERPRET_FR_EVAL_CONCURRENT_GC: '1' } });
  run('node', [join(app, 'node_modules', '@interpret-fr', 'eval', 'bin', 'interpret-fr-eval.mjs'), ...args, '--out', join(dir, 'c')], { cwd: app, env: appEnv });
  const metrics = (o) => {
    const r = JSON.parse(readFileSync(join(dir, o, 'report.json'), 'utf8'));
    return JSON.stringify({ verify: r.verify, search: r.search, auc: r.auc, eer: r.eer, counts: r.counts });
  };
  const [a, b, c] = [metrics('a'), metrics('b'), metrics('c')];
  if (a !== b) throw new Error(`the command's report ${a.slice(0, 300)} differs from the in-process one ${b.slice(0, 300)}`);
  if (c !== b) throw new Error(`the relaunched stub's report ${c.slice(0, 300)} differs from the in-process one ${b.slice(0, 300)}`);
  if (!a.includes('rank-1')) throw new Error(`report without search metrics: ${a.slice(0, 300)}`);
  return 'npx interpret-fr-eval ijba (2 workers) = node bin/interpret-fr-eval.mjs ijba (relaunched) = in process on one thread: same metrics';
});

await check('photos', () => {
  const lfw = resolve(process.env.INTERPRET_FR_DATA ?? resolve(repo, '../shared/data'), 'lfw/lfw-a');
  if (!existsSync(lfw)) {
    if (process.env.INTERPRET_FR_REQUIRE_DATA === '1') throw new Error(`${lfw} not found (INTERPRET_FR_REQUIRE_DATA=1)`);
    return `skipped: no real photos at ${lfw}`;
  }
  const photos = ['Aaron_Peirsol/Aaron_Peirsol_0001.jpg', 'Aaron_Peirsol/Aaron_Peirsol_0002.jpg'].map((f) => join(lfw, f));
  const parse = (out, what) => {
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '');
    if (!(Math.abs(r.cosine) <= 1) || typeof r.samePerson !== 'boolean') throw new Error(`${what} printed ${JSON.stringify(r)}, expected a cosine in [-1, 1] and a decision`);
    return r;
  };
  const env = { THRESHOLD: '0.5' };
  const inApp = parse(run('node', ['compare-photos.mjs', 'interpret-fr-lfw.onnx', ...photos], { cwd: app, env: { ...cleanEnv, ...env } }), 'node compare-photos.mjs (app)');
  const tsx = createRequire(resolve(repo, 'package.json')).resolve('tsx/esm');
  const inRepo = parse(
    run('node', ['--conditions=@interpret-fr/source', '--import', `file://${tsx}`, 'scripts/consumer/compare-photos.mjs', 'models/interpret-fr-lfw.onnx', ...photos], {
      cwd: repo,
      env,
    }),
    'compare-photos.mjs (repository)',
  );
  if (!(Math.abs(inApp.cosine - inRepo.cosine) <= 1e-6)) throw new Error(`cosine ${inApp.cosine} in the app vs ${inRepo.cosine} in the repository`);
  return `two LFW-a photos: cosine ${inApp.cosine.toFixed(6)} (repository ${inRepo.cosine.toFixed(6)})`;
});

if (!flags.keep && !flags.app) rmSync(app, { recursive: true, force: true });
finish();
