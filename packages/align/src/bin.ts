#!/usr/bin/env node
/**
 * Entry point of `interpret-fr-prepare` (compiled to `dist/bin.js`). Ctrl-C / SIGTERM stop
 * dispatching; finished images stay recorded and a rerun resumes.
 *
 * @module
 */
import { processIo } from '@interpret-fr/core/node';
import { main } from './cli.ts';

const ac = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
process.exitCode = await main(process.argv.slice(2), processIo(ac.signal));
process.exit();
