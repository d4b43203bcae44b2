#!/usr/bin/env node
// `interpret-fr-eval`: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader). This stub exists
// before any build; in the repository, `pnpm build` makes dist/. The package's command is `bin/interpret-fr-eval` (POSIX
// sh), which runs this stub, for `ijba` and `ijbc` with the settings below already given; `node
// bin/interpret-fr-eval.mjs …` runs it anywhere.
//
// `ijba` and `ijbc`, which score on worker threads, need settings that only take effect when a process starts: V8
// flags (garbage collection on the scoring threads themselves, a 64 MB old space, no memory reducer) and glibc malloc
// tunables (freed GEMM output blocks reused instead of faulted in again). Without the flags, the stub runs node again
// with both (and without NODE_EXTRA_CA_CERTS), forwarding SIGINT / SIGTERM / SIGHUP and the exit status; what and why: src/cli/launch.ts
// (INTERPRET_FR_EVAL_CONCURRENT_GC=1: no relaunch, node's defaults, in this process). Other commands and --help
// start directly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

function notBuilt(e, file) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(file)) {
    process.stderr.write('interpret-fr-eval: the package is not built (run `pnpm build` at the repository root)\n');
    process.exit(1);
  }
  throw e;
}

const args = process.argv.slice(2);
const { threadedRelaunch } = await import('../dist/cli/launch.js').catch((e) => notBuilt(e, 'dist/cli/launch.js'));
const relaunch = threadedRelaunch(args, process.execArgv, process.env);
if (relaunch) {
  const child = spawn(process.execPath, [...relaunch.flags, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: relaunch.env,
  });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => child.kill(s));
  child.on('error', (e) => {
    process.stderr.write(`interpret-fr-eval: cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  import('../dist/bin.js').catch((e) => notBuilt(e, 'dist/bin.js'));
}
