#!/usr/bin/env node
// Each command is loaded when it runs: synth never pays for lint's or diff's modules, nor they
// for synth's (cdk8s-plus, the Grafana SDK). See bench/RESULTS.md for what loading costs.

/** Every command's usage, for `help` and mistakes: the one path that loads all of them. */
async function usage(): Promise<string> {
  const usages = await Promise.all([
    import('./init.js').then((m) => m.INIT_USAGE),
    import('./synth-command.js').then((m) => m.SYNTH_USAGE),
    import('./validate.js').then((m) => m.VALIDATE_USAGE),
    import('./diff.js').then((m) => m.DIFF_USAGE),
    import('./explain.js').then((m) => m.EXPLAIN_USAGE),
    import('./import.js').then((m) => m.IMPORT_USAGE),
    import('./plan.js').then((m) => m.PLAN_USAGE),
  ]);
  return `usage: cdk8s-istio-observability <command> [--help] [--debug]\n  --debug: on an internal error, print its stack instead of one line\n\n${usages.join('\n\n')}\n`;
}

/**
 * The packaged command line: `init` (a starter config), `synth` (the config to an output folder),
 * `validate` (lint mode), `diff` (review a synth against committed output); for a mesh that already
 * runs hand-written YAML, `explain` (what applies where) `import` (an observability.yaml from it) and `plan` (what an upgrade changes).
 */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  // synth reads --debug itself; the other commands leave it to the handler below.
  const others = rest.filter((arg) => arg !== '--debug');
  switch (command) {
    case 'init':
      return (await import('./init.js')).runInit(others);
    case 'synth':
      return (await import('./synth-command.js')).runSynth(rest);
    case 'validate':
      return (await import('./validate.js')).runValidate(others);
    case 'diff':
      return (await import('./diff.js')).runDiff(others);
    case 'explain':
      return (await import('./explain.js')).runExplain(others);
    case 'import':
      return (await import('./import.js')).runImport(others);
    case 'plan':
      return (await import('./plan.js')).runPlan(others);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(await usage());
      return 0;
    default:
      process.stderr.write(
        command === undefined ? await usage() : `unknown command ${JSON.stringify(command)}\n${await usage()}`,
      );
      return 2;
  }
}

// A reader that stops early (`validate dir | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    // A bug of ours, not of the input: one line, the stack only when asked for.
    const e = error as Error;
    process.stderr.write(
      process.argv.includes('--debug')
        ? `${e.stack ?? String(e)}\n`
        : `internal error: ${e.message ?? String(e)}; please report it with the command and its input (run with --debug for the stack)\n`,
    );
    process.exitCode = 1;
  },
);
