import { runSynth } from './cli/synth-command';

/**
 * `npm run synth -- [--config <file>] [--out <dir>] [--format text|json|sarif]` in a clone: the
 * packaged command line's `synth` (cli/synth-command.ts), run from the sources.
 */
runSynth(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
