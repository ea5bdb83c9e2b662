#!/usr/bin/env node
import { DIFF_USAGE, runDiff } from './diff';
import { runValidate, VALIDATE_USAGE } from './validate';

const USAGE = `usage: cdk8s-istio-observability <command>\n\n${VALIDATE_USAGE}\n\n${DIFF_USAGE}\n`;

/** The packaged command line: `validate` (lint mode), `diff` (review a synth against committed output). */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return runValidate(rest);
    case 'diff':
      return runDiff(rest);
    default:
      process.stderr.write(command === undefined ? USAGE : `unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
