import { parseArgs } from 'node:util';
import { ConfigFileError } from '../app/config/config-file';
import { OutputFolderError } from '../app/synth/output-guard';
import { type Finding, formatFinding, ValidationFailedError } from '../core/problems/finding';
import { configFindings, findingsJson, findingsSarif, REPORT_FORMATS, type ReportFormat } from './findings-report';
import { synthConfigFile } from './synth';
import type { Writer } from './writer';

export const SYNTH_USAGE =
  'usage: synth [--config <file>] [--out <dir>] [--format text|json|sarif] [--debug]\n' +
  '  validates the config (default observability.yaml) and everything it declares, then writes the output\n' +
  '  folder (default dist/, or CDK8S_OUTDIR when cdk8s-cli runs the app) with kustomization.yaml and REPORT.md;\n' +
  '  on any error it prints every problem and leaves the folder as it was;\n' +
  '  --format: json or sarif (SARIF 2.1.0, for GitHub code scanning) print the findings as data on stdout;\n' +
  '  the output folder must be new, empty, or written by an earlier synth with nothing added (see its\n' +
  '  .cdk8s-istio-observability.json); --debug prints the stack of an internal error;\n' +
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
  let args: { config: string; out: string; format: ReportFormat; debug: boolean; underCdk8sCli: boolean };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean' },
        debug: { type: 'boolean' },
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
    args = {
      config: values.config ?? 'observability.yaml',
      out: values.out ?? env.CDK8S_OUTDIR ?? 'dist',
      format,
      debug: values.debug === true,
      // cdk8s-cli sets CDK8S_OUTDIR and empties that folder before it runs the app.
      underCdk8sCli: values.out === undefined && env.CDK8S_OUTDIR !== undefined,
    };
  } catch (error) {
    err.write(`${(error as Error).message}\n${SYNTH_USAGE}\n`);
    return 2;
  }
  const report = (findings: readonly Finding[]) => {
    if (args.format === 'json') out.write(findingsJson(findings));
    if (args.format === 'sarif') out.write(findingsSarif(findings));
  };
  const failed = (message: string) => {
    // `--out ./` must print "./", not ".//".
    const folder = `${args.out.replace(/\/+$/, '') || '/'}/`.replace(/^\/\/$/, '/');
    const state = args.underCdk8sCli
      ? `${folder} is empty: cdk8s synth emptied it before running the app (npm run synth or the packaged synth keep the previous output on failure)`
      : `${folder} left unchanged`;
    err.write(`synth failed, ${state}:\n${message}\n`);
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
      report([...configFindings(error.problems), ...error.laterFindings]);
      return failed(error.message);
    }
    if (error instanceof OutputFolderError) return failed(error.message);
    // A bug of ours, not of the input: one line, the stack only when asked for.
    const e = error as Error;
    return failed(
      args.debug
        ? (e.stack ?? String(e))
        : `internal error: ${e.message ?? String(e)}; please report it with the config (run with --debug for the stack)`,
    );
  }
}
