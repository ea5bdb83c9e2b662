import { parseArgs } from 'node:util';
import { synthConfigFile } from './cli/synth';
import { ConfigFileError } from './constructs/config/config-file';
import { formatFinding, ValidationFailedError } from './constructs/validate/finding';

const USAGE = 'usage: npm run synth -- [--config <file>] [--out <dir>]';

/**
 * Synthesizes the stack declared in a config file (default observability.yaml) into an output
 * folder (default dist/, or CDK8S_OUTDIR when cdk8s-cli runs the app), with REPORT.md; with
 * `clusters:`, one folder per cluster and the GitOps objects. Everything is validated first; on
 * any error every problem is printed with its location, the output folder is left exactly as it
 * was, and the exit status is 1. Warnings are printed and do not fail.
 */
async function main(): Promise<number> {
  let args: { config: string; out: string };
  try {
    const { values } = parseArgs({
      options: { config: { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    args = { config: values.config ?? 'observability.yaml', out: values.out ?? process.env.CDK8S_OUTDIR ?? 'dist' };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const failed = (message: string) => {
    process.stderr.write(`synth failed, ${args.out}/ left unchanged:\n${message}\n`);
    return 1;
  };
  try {
    const report = await synthConfigFile(args.config, args.out);
    for (const warning of report.warnings) process.stderr.write(`warning: ${formatFinding(warning)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ValidationFailedError) {
      for (const warning of error.warnings) process.stderr.write(`warning: ${formatFinding(warning)}\n`);
      return failed(error.message);
    }
    if (error instanceof ConfigFileError) return failed(error.message);
    return failed((error as Error).stack ?? String(error));
  }
}

main().then((status) => {
  process.exitCode = status;
});
