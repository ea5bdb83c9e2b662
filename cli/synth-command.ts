import { parseArgs } from 'node:util';
import { ConfigFileError } from '../constructs/config/config-file';
import { type Finding, formatFinding, ValidationFailedError } from '../constructs/validate/finding';
import { configFindings, findingsJson, findingsSarif, REPORT_FORMATS, type ReportFormat } from './findings-report';
import { synthConfigFile } from './synth';
import type { Writer } from './writer';

export const SYNTH_USAGE =
  'usage: synth [--config <file>] [--out <dir>] [--format text|json|sarif]\n' +
  '  validates the config (default observability.yaml) and everything it declares, then writes the output\n' +
  '  folder (default dist/, or CDK8S_OUTDIR when cdk8s-cli runs the app) with kustomization.yaml and REPORT.md;\n' +
  '  on any error it prints every problem and leaves the folder as it was;\n' +
  '  --format: json or sarif (SARIF 2.1.0, for GitHub code scanning) print the findings as data on stdout;\n' +
  '  exit 0 when written (warnings are printed), 1 when the config or a rule has an error, 2 on a usage error';

/**
 * `synth`: the same code, and so the same bytes, as `npm run synth` in a clone. Text goes to
 * `err`; with `--format json` or `sarif` the findings go to `out` as data.
 */
export async function runSynth(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let args: { config: string; out: string; format: ReportFormat };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      out.write(`${SYNTH_USAGE}\n`);
      return 0;
    }
    const format = (values.format ?? 'text') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) {
      throw new Error(`--format: got ${JSON.stringify(values.format)}, expected one of ${REPORT_FORMATS.join(', ')}`);
    }
    args = { config: values.config ?? 'observability.yaml', out: values.out ?? env.CDK8S_OUTDIR ?? 'dist', format };
  } catch (error) {
    err.write(`${(error as Error).message}\n${SYNTH_USAGE}\n`);
    return 2;
  }
  const report = (findings: readonly Finding[]) => {
    if (args.format === 'json') out.write(findingsJson(findings));
    if (args.format === 'sarif') out.write(findingsSarif(findings));
  };
  const failed = (message: string) => {
    err.write(`synth failed, ${args.out}/ left unchanged:\n${message}\n`);
    return 1;
  };
  try {
    const synthesized = await synthConfigFile(args.config, args.out);
    for (const warning of synthesized.warnings) err.write(`warning: ${formatFinding(warning)}\n`);
    report(synthesized.warnings);
    return 0;
  } catch (error) {
    if (error instanceof ValidationFailedError) {
      for (const warning of error.warnings) err.write(`warning: ${formatFinding(warning)}\n`);
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
