import type { CliIo } from '@interpret-fr/core/node';

/** A CLI io that records what a command writes to stdout (`o`) and stderr (`e`, not a TTY). */
export function capture(): CliIo & { o: string; e: string } {
  const c = {
    o: '',
    e: '',
    stdout: {
      write: (s: string) => {
        c.o += s;
      },
    },
    stderr: {
      write: (s: string) => {
        c.e += s;
      },
      isTTY: false,
    },
  };
  return c;
}
