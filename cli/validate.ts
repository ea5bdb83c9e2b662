import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { APP_RULES } from '../analysis/rule-catalog';
import { kustomizeBuild } from '../app/lint/kustomize-build';
import { type LintReport, lintManifestFiles, lintText, mergeLintReports } from '../app/lint/lint-stream';
import type { ManifestFileProblem } from '../app/lint/manifest-files';
import { listManifestFiles } from '../app/lint/manifest-files';
import { ManifestValidationError } from '../app/lint/manifest-validator';
import { groupByOutputFolder, type LintGroup } from '../app/lint/output-folders';
import { OUTPUT_MARKER } from '../app/synth/output-guard';
import { asReviewed, reviewedKey } from '../app/synth/output-record';
import type { Finding } from '../core/problems/finding';
import { describeProblem, describeProblemWithHint } from '../core/problems/problem';
import { renderLocation } from '../core/problems/source-location';
import { DEFAULT_ISTIO_VERSION, VersionPolicy } from '../core/version/version-policy';
import { findingsJson, findingsSarif, REPORT_FORMATS, type ReportFormat } from './findings-report';
import type { Writer } from './writer';

export const VALIDATE_USAGE =
  'usage: validate [--istio-version <X.Y>] [--complete] [--disable <rule>[,<rule>]] [--format text|json|sarif] [--kustomize] <file or folder>...\n' +
  '  checks Kubernetes YAML against the target Istio release with the rules synth runs; without --istio-version,\n' +
  '  the istioVersion of an observability.yaml beside the files, else the newest release this library supports;\n' +
  '  --complete: the files are applied together, so references must resolve among them and names must not collide;\n' +
  '  --kustomize: each folder is built with kubectl kustomize and its output checked as applied (patches merged);\n' +
  '  --disable: rules not to run (repeatable); one object silences one with the annotation\n' +
  '  ignore-check.cdk8s-istio-observability.io/<rule>: "<reason>";\n' +
  '  --format: json or sarif (SARIF 2.1.0, for GitHub code scanning) print the findings as data on stdout';

/** One line per finding: `file:line: error: [Kind/namespace/name] field: ... (rule)`. */
export function formatLintFinding(finding: Finding): string {
  const where = finding.location ? renderLocation(finding.location) : '(files)';
  return `${where}: ${finding.severity}: [${finding.path}] ${describeProblemWithHint(finding)} (${finding.rule})`;
}

/** `file:line: error: not YAML: ... (yaml)`: a file that is not YAML, or a document that is no object. */
export function formatFileProblem(problem: ManifestFileProblem): string {
  return `${renderLocation(problem.location)}: error: ${describeProblem(problem)} (yaml)`;
}

/** A file that is not YAML or a document that is no object, as a finding of rule `yaml`. */
function fileProblemFinding(problem: ManifestFileProblem): Finding {
  return { ...problem, severity: 'error', rule: 'yaml', path: '(files)' };
}

/**
 * The release to check against: `--istio-version`, else the top-level `istioVersion` of an
 * `observability.yaml` in the folder of the first file or folder given that has one, else the
 * newest supported release; `from` says which, for the summary line.
 */
export function targetRelease(
  given: string | undefined,
  paths: readonly string[],
): { readonly istioVersion: string; readonly from?: string } {
  if (given !== undefined) return { istioVersion: given };
  for (const path of paths) {
    const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
    const config = join(dir, 'observability.yaml');
    if (!existsSync(config)) continue;
    let declared: unknown;
    try {
      declared = (parse(readFileSync(config, 'utf8')) as { istioVersion?: unknown } | null)?.istioVersion;
    } catch {
      declared = undefined; // synth reports a broken config; lint falls back to the newest release
    }
    if (typeof declared === 'string') return { istioVersion: declared, from: `istioVersion of ${config}` };
  }
  const newest = VersionPolicy.supportedVersions().at(-1) ?? DEFAULT_ISTIO_VERSION;
  return { istioVersion: newest, from: 'the newest supported release; choose with --istio-version' };
}

/**
 * `validate`: lint mode for YAML this library did not generate. Prints every problem with its
 * file and line, then what each rule that fired checks and why. Exit status: 0 when there is no
 * error (warnings are printed), 1 when there are errors, 2 on a usage error.
 */
export async function runValidate(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  let values: {
    'istio-version'?: string;
    complete?: boolean;
    disable?: string[];
    format?: string;
    kustomize?: boolean;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        'istio-version': { type: 'string' },
        complete: { type: 'boolean' },
        disable: { type: 'string', multiple: true },
        format: { type: 'string' },
        kustomize: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    err.write(`${(error as Error).message}\n${VALIDATE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${VALIDATE_USAGE}\n`);
    return 0;
  }
  const format = (values.format ?? 'text') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    err.write(
      `--format: got ${JSON.stringify(values.format)}, expected one of ${REPORT_FORMATS.join(', ')}\n${VALIDATE_USAGE}\n`,
    );
    return 2;
  }
  if (positionals.length === 0) {
    err.write(`no files given\n${VALIDATE_USAGE}\n`);
    return 2;
  }
  const fallback = targetRelease(values['istio-version'], positionals);
  let report: LintReport;
  /** The releases checked against, and why each: `Istio 1.24 (recorded by synth for clusters/dev)`. */
  const against: string[] = [];
  let reviewed = 0;
  try {
    const disable = (values.disable ?? []).flatMap((list) => list.split(',')).filter((id) => id !== '');
    const reports: LintReport[] = [];
    // A folder synth wrote is checked against the release it was made for, and the warnings
    // synth reported for it are not repeated (app/synth/reviewed-warnings.ts).
    // With --kustomize, each folder is one stream: what kustomize builds from it.
    const sources = values.kustomize
      ? positionals.map((dir) => ({ dir, group: groupByOutputFolder([join(dir, 'kustomization.yaml')])[0] }))
      : undefined;
    if (sources) {
      for (const { dir, group } of sources) {
        const built = kustomizeBuild(dir);
        if (typeof built !== 'string') {
          err.write(`${built.message}\n`);
          return built.status;
        }
        const { istioVersion, why } = groupRelease(group, values['istio-version'], fallback);
        against.push(`${istioVersion}${why ? ` (${why})` : ''}`);
        const found = await lintText(`kustomize build ${dir}`, built, {
          istioVersion,
          complete: values.complete ?? false,
          disable,
        });
        const fresh = withoutReviewed(found, () => group);
        reviewed += found.findings.length - fresh.findings.length;
        reports.push(fresh);
      }
    }
    const groups: LintGroup[] = sources ? [] : groupByOutputFolder(listManifestFiles(positionals));
    // Files no synth recorded are checked against the release of an observability.yaml beside
    // them, else the one the output folders given agree on (hand-written YAML applied with them).
    const recorded = [...new Set(groups.flatMap((g) => (g.istioVersion !== undefined ? [g.istioVersion] : [])))];
    const fromConfig = fallback.from?.startsWith('istioVersion of') === true;
    const [agreed] = recorded.length === 1 && !fromConfig ? recorded : [];
    const unrecorded = agreed ? { istioVersion: agreed, from: 'the release of the output folders given' } : fallback;
    // One lint per release, so that patches and the workloads they patch are read together.
    const buckets = new Map<string, { files: string[]; groupOf: Map<string, LintGroup> }>();
    for (const group of groups) {
      const { istioVersion, why } = groupRelease(group, values['istio-version'], unrecorded);
      // A folder synth recorded without a release holds no Istio objects (GitOps): not worth naming.
      if (group.folder === undefined || group.istioVersion !== undefined || values['istio-version'] !== undefined) {
        against.push(`${istioVersion}${why ? ` (${why})` : ''}`);
      }
      const bucket = buckets.get(istioVersion) ?? { files: [] as string[], groupOf: new Map<string, LintGroup>() };
      buckets.set(istioVersion, bucket);
      for (const file of group.files) {
        bucket.files.push(file);
        bucket.groupOf.set(file, group);
      }
    }
    for (const [istioVersion, bucket] of buckets) {
      const found = await lintManifestFiles(bucket.files, {
        istioVersion,
        complete: values.complete ?? false,
        disable,
      });
      const fresh = withoutReviewed(found, (file) => (file === undefined ? undefined : bucket.groupOf.get(file)));
      reviewed += found.findings.length - fresh.findings.length;
      reports.push(fresh);
    }
    if (against.length === 0) against.push(`${fallback.istioVersion}${fallback.from ? ` (${fallback.from})` : ''}`);
    report = mergeLintReports(reports);
  } catch (error) {
    if (error instanceof ManifestValidationError) {
      // The refused option names itself (`disable: got …`); a refused release does not.
      err.write(
        error.problem.field?.[0] === 'disable' ? `--${error.message}\n` : `--istio-version: ${error.message}\n`,
      );
      return 2;
    }
    // A path that does not exist or cannot be read: one line, as the file system says it.
    if ((error as NodeJS.ErrnoException).code !== undefined) {
      err.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  const istioVersion =
    [...new Set(against.map((a) => a.split(' ')[0]))].length === 1 ? against[0]?.split(' ')[0] : undefined;
  const { findings, problems } = report;
  if (format !== 'text') {
    const all = [...problems.map(fileProblemFinding), ...findings];
    out.write(format === 'json' ? findingsJson(all, istioVersion ? { istioVersion } : {}) : findingsSarif(all));
    return all.some((f) => f.severity === 'error') ? 1 : 0;
  }
  // Kinds no schema is known for are listed once, not as one warning per object.
  const unchecked = findings.filter((f) => f.rule === 'object-schema' && f.severity === 'warning');
  const reported = findings.filter((f) => !unchecked.includes(f));
  const lines = [...problems.map(formatFileProblem), ...reported.map(formatLintFinding)];
  const errors = problems.length + reported.filter((f) => f.severity === 'error').length;
  const warnings = reported.length - (errors - problems.length);
  out.write(lines.map((line) => `${line}\n`).join(''));
  const fired = [...new Set(reported.map((f) => f.rule))].sort();
  if (fired.length > 0) {
    out.write('\nwhy:\n');
    for (const id of fired) {
      const rule = APP_RULES.find((r) => r.id === id);
      if (rule) out.write(`  ${id}: ${rule.summary}\n`);
    }
  }
  if (unchecked.length > 0) {
    const kinds = new Map<string, number>();
    for (const f of unchecked) {
      const kind = f.object ? `${f.object.apiVersion} ${f.object.kind}` : f.path;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const list = [...kinds].map(([kind, n]) => (n > 1 ? `${kind} (${n})` : kind)).join(', ');
    out.write(`\nnot schema-checked (no schema known): ${list}\n`);
  }
  if (report.skipped.length > 0) {
    out.write(
      `\nnot checked as objects (kustomize files, JSON 6902 patches, Helm values; what Istio reads in them is): ${report.skipped.join(', ')}\n`,
    );
  }
  if (reviewed > 0) {
    out.write(
      `\n${reviewed} warning(s) in output folders were reported by the synth that wrote them (recorded in ${OUTPUT_MARKER}), not repeated\n`,
    );
  }
  const objects = report.objects;
  out.write(
    `\n${report.files.length} file(s), ${objects} object(s) checked against Istio ${[...new Set(against)].join('; Istio ')}: ${errors} error(s), ${warnings} warning(s)\n`,
  );
  return errors > 0 ? 1 : 0;
}

/** The release a group of files is checked against (`--istio-version`, synth's record, else `otherwise`), and why. */
function groupRelease(
  group: LintGroup | undefined,
  given: string | undefined,
  otherwise: { readonly istioVersion: string; readonly from?: string },
): { readonly istioVersion: string; readonly why?: string } {
  if (given !== undefined) return { istioVersion: given };
  if (group?.istioVersion !== undefined) {
    return { istioVersion: group.istioVersion, why: `recorded by synth for ${group.folder}` };
  }
  return { istioVersion: otherwise.istioVersion, ...(otherwise.from !== undefined ? { why: otherwise.from } : {}) };
}

/** `found` without the warnings synth recorded for the folder of each finding's file (app/synth/reviewed-warnings.ts). */
function withoutReviewed(found: LintReport, groupOf: (file: string | undefined) => LintGroup | undefined): LintReport {
  const findings = found.findings.filter(
    (f) => f.severity !== 'warning' || !groupOf(f.location?.file)?.reviewed.has(reviewedKey(asReviewed(f))),
  );
  return { ...found, findings };
}
