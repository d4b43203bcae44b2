#!/usr/bin/env node
/**
 * Entry point of `interpret-fr-export` (compiled to `dist/bin.js`): runs the CLI and sets the exit code.
 *
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
