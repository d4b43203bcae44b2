/**
 * Entry point of `interpret-fr-train`: maps SIGINT to an abort (the run saves a checkpoint and stops;
 * a second Ctrl-C exits at once) and exits with main's code.
 *
 * @module
 */
import { processIo } from '@interpret-fr/core/node';
import { main } from './cli.ts';

const ac = new AbortController();
process.on('SIGINT', () => {
  if (ac.signal.aborted) process.exit(130);
  process.stderr.write('\nSIGINT: saving a checkpoint, then stopping (Ctrl-C again to quit now)\n');
  ac.abort();
});
const code = await main(process.argv.slice(2), processIo(ac.signal));
// Exit explicitly once stdout is flushed: the threaded wasm backend's pthread workers would keep the
// event loop alive after the run has finished and saved.
process.stdout.write('', () => process.exit(code));
