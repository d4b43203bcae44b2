#!/usr/bin/env node
/**
 * Entry point of `interpret-fr-train`: maps SIGINT and SIGTERM (what schedulers and containers
 * send) to an abort (the run saves a checkpoint and stops; a second signal exits at once) and exits
 * with main's code (130 after SIGINT, 143 after SIGTERM).
 *
 * @module
 */
import { processIo } from '@interpret-fr/core/node';
import { main } from './cli.ts';

const ac = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (ac.signal.aborted) process.exit(sig === 'SIGTERM' ? 143 : 130);
    process.stderr.write(`\n${sig}: saving a checkpoint, then stopping (send it again to quit now)\n`);
    ac.abort(sig);
  });
}
const code = await main(process.argv.slice(2), processIo(ac.signal));
// Exit explicitly once stdout is flushed: the threaded wasm backend's pthread workers would keep the
// event loop alive after the run has finished and saved.
process.stdout.write('', () => process.exit(code));
