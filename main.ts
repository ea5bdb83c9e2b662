import { parseArgs } from 'node:util';
import { configFindings, findingsJson, findingsSarif, REPORT_FORMATS, type ReportFormat } from './cli/findings-report';
import { synthConfigFile } from './cli/synth';
import { ConfigFileError } from './constructs/config/config-file';
import { type Finding, formatFinding, ValidationFailedError } from './constructs/validate/finding';

const USAGE =
  'usage: npm run synth -- [--config <file>] [--out <dir>] [--format text|json|sarif]\n' +
  '  --format: json or sarif (SARIF 2.1.0, for GitHub code scanning) print the findings as data on stdout';

/**
 * Synthesizes the stack declared in a config file (default observability.yaml) into an output
 * folder (default dist/, or CDK8S_OUTDIR when cdk8s-cli runs the app), with REPORT.md; with
 * `clusters:`, one folder per cluster and the GitOps objects. Everything is validated first; on
 * any error every problem is printed with its location, the output folder is left exactly as it
 * was, and the exit status is 1. Warnings are printed and do not fail.
 */
async function main(): Promise<number> {
  let args: { config: string; out: string; format: ReportFormat };
  try {
    const { values } = parseArgs({
      options: { config: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    const format = (values.format ?? 'text') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) {
      throw new Error(`--format: got ${JSON.stringify(values.format)}, expected one of ${REPORT_FORMATS.join(', ')}`);
    }
    args = {
      config: values.config ?? 'observability.yaml',
      out: values.out ?? process.env.CDK8S_OUTDIR ?? 'dist',
      format,
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  /** With --format json or sarif, the findings as data on stdout; text goes to stderr either way. */
  const report = (findings: readonly Finding[]) => {
    if (args.format === 'json') process.stdout.write(findingsJson(findings));
    if (args.format === 'sarif') process.stdout.write(findingsSarif(findings));
  };
  const failed = (message: string) => {
    process.stderr.write(`synth failed, ${args.out}/ left unchanged:\n${message}\n`);
    return 1;
  };
  try {
    const synthesized = await synthConfigFile(args.config, args.out);
    for (const warning of synthesized.warnings) process.stderr.write(`warning: ${formatFinding(warning)}\n`);
    report(synthesized.warnings);
    return 0;
  } catch (error) {
    if (error instanceof ValidationFailedError) {
      for (const warning of error.warnings) process.stderr.write(`warning: ${formatFinding(warning)}\n`);
      report(error.findings);
      return failed(error.message);
    }
    if (error instanceof ConfigFileError) {
      report(configFindings(error.problems));
      return failed(error.message);
    }
    return failed((error as Error).stack ?? String(error));
  }
}

main().then((status) => {
  process.exitCode = status;
});
