#!/usr/bin/env node
import { DIFF_USAGE, runDiff } from './diff';
import { INIT_USAGE, runInit } from './init';
import { runSynth, SYNTH_USAGE } from './synth-command';
import { runValidate, VALIDATE_USAGE } from './validate';

const USAGE = `usage: cdk8s-istio-observability <command> [--help]\n\n${INIT_USAGE}\n\n${SYNTH_USAGE}\n\n${VALIDATE_USAGE}\n\n${DIFF_USAGE}\n`;

/**
 * The packaged command line: `init` (a starter config), `synth` (the config to an output folder),
 * `validate` (lint mode), `diff` (review a synth against committed output).
 */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'init':
      return runInit(rest);
    case 'synth':
      return runSynth(rest);
    case 'validate':
      return runValidate(rest);
    case 'diff':
      return runDiff(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
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
