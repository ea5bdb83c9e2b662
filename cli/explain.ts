import { reviewSections } from '../analysis/review/telemetry-report';
import type { SettingValue, WorkloadSetting, WorkloadTelemetry } from '../analysis/review/workload-telemetry';
import { type Explanation, explainInputSet, isWorkloadNamed } from '../app/adopt/explain';
import { inputRelease } from '../app/adopt/input-release';
import { type InputSet, readInputSet } from '../app/adopt/input-set';
import { ManifestValidationError } from '../app/lint/manifest-validator';
import { describeProblem } from '../core/problems/problem';
import { renderLocation } from '../core/problems/source-location';
import { VersionPolicy } from '../core/version/version-policy';
import { parseCommandOptions } from './command-options';
import { findingJson } from './findings-report';
import { formatFileProblem, formatLintFinding } from './validate';
import type { Writer } from './writer';

export const EXPLAIN_USAGE =
  'usage: explain [--istio-version <X.Y[.Z]>] [--namespace <ns>] [--workload <ns>/<name>] [--format text|json|markdown] <file or folder>...\n' +
  '  prints, for every meshed workload in the files, folders (a folder with a kustomization is built),\n' +
  '  or `kubectl get -A -o yaml` dump, each setting that applies, the object that sets it, what it\n' +
  '  overrides and when a change takes effect, then what lint finds in them as applied together;\n' +
  '  --istio-version: the release to explain at; default: the one the input was installed at (Sail\n' +
  "  Istio spec.version, IstioOperator spec.tag, the istiod chart's global.tag, istiod's image), else the newest;\n" +
  '  --namespace: where objects that name none are applied (kubectl apply -n); default: the namespace\n' +
  '  of --workload, else default';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

const WHEN: Readonly<Record<SettingValue['takesEffect'], string>> = {
  'xds-push': 'by xDS push',
  rollout: 'on rollout',
  'restart-needed': 'after a restart',
};

/** The options every adoption command shares: the input, its namespace, the release. */
export interface AdoptInput {
  readonly set: InputSet;
  readonly istioVersion: string;
  /** Why this release: `from --istio-version`, `from Deployment istio-system/istiod image …`. */
  readonly release: string;
}

/**
 * Reads the input of `explain`, `import` or `plan` as one set, or writes one line on `err` and
 * returns undefined: a path that does not exist (as the file system says it), a folder that does
 * not build.
 */
export function readCommandInput(paths: readonly string[], namespace: string, err: Writer): InputSet | undefined {
  let set: ReturnType<typeof readInputSet>;
  try {
    set = readInputSet(paths, namespace);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    err.write(`${(error as Error).message}\n`);
    return undefined;
  }
  if (!('objects' in set)) {
    err.write(`${set.message}\n`);
    return undefined;
  }
  return set;
}

/**
 * Reads the input of `explain` or `import`: the set, and the release to read it at (`given`, else
 * the one the input records, else the newest supported). One line on `err` and undefined when it
 * cannot: a path that does not exist, a folder that does not build, a release outside the range.
 */
export function readAdoptInput(
  paths: readonly string[],
  namespace: string,
  given: string | undefined,
  err: Writer,
): AdoptInput | undefined {
  const set = readCommandInput(paths, namespace, err);
  if (!set) return undefined;
  const recorded = given === undefined ? inputRelease(set.objects) : undefined;
  const newest = VersionPolicy.supportedVersions().at(-1) ?? '';
  const istioVersion = given ?? recorded?.istioVersion ?? newest;
  const release = given
    ? 'from --istio-version'
    : recorded
      ? `from ${recorded.from}`
      : 'the newest supported; the input records none, choose with --istio-version';
  const policy = VersionPolicy.resolve(istioVersion);
  if (!(policy instanceof VersionPolicy)) {
    err.write(
      `${given !== undefined ? '--istio-version' : `the input's release (${release})`}: got ${JSON.stringify(istioVersion)}, expected ${policy.expected}\n`,
    );
    return undefined;
  }
  return { set, istioVersion, release };
}

/** `explain`: what applies where in hand-written or dumped objects. Exit 0, or 1 when the input has errors, 2 on a usage error. */
export async function runExplain(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const parsed = parseCommandOptions(
    argv,
    ['istio-version', 'namespace', 'workload', 'format'],
    EXPLAIN_USAGE,
    out,
    err,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    err.write(`--format: got ${JSON.stringify(values.format)}, expected one of ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const wanted = values.workload;
  if (wanted !== undefined && !/^[^/]+\/(?:[^/]+\/)?[^/]+$/.test(wanted)) {
    err.write(`--workload: got ${JSON.stringify(wanted)}, expected <namespace>/<name> or <namespace>/<Kind>/<name>\n`);
    return 2;
  }
  if (positionals.length === 0) {
    err.write(`no files given\n${EXPLAIN_USAGE}\n`);
    return 2;
  }
  const namespace = values.namespace ?? wanted?.split('/')[0] ?? 'default';
  const input = readAdoptInput(positionals, namespace, values['istio-version'], err);
  if (!input) return 2;
  if (input.set.problems.length > 0) {
    for (const p of input.set.problems) err.write(`${formatFileProblem(p)}\n`);
    return 1;
  }
  let explanation: Explanation;
  try {
    explanation = await explainInputSet(input.set, input.istioVersion);
  } catch (error) {
    if (error instanceof ManifestValidationError) {
      err.write(`--istio-version: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const workloads = explanation.review.workloads.filter((w) => !wanted || isWorkloadNamed(w.workload, wanted));
  if (wanted && workloads.length === 0) {
    const known = explanation.review.workloads.map((w) => w.workload);
    err.write(
      `--workload: got ${JSON.stringify(wanted)}, expected a meshed workload of the input${known.length > 0 ? `: ${[...new Set(known)].join(', ')}` : ' (it has none)'}\n`,
    );
    return 2;
  }
  const shown = { ...explanation, review: { ...explanation.review, workloads } };
  if (format === 'json') out.write(explanationJson(shown, input));
  else if (format === 'markdown') out.write(explanationMarkdown(shown, input));
  else out.write(explanationText(shown, input, wanted === undefined));
  return explanation.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

function settingLines(setting: WorkloadSetting): string[] {
  return [
    `  ${setting.piece}: ${setting.value}`,
    `      from ${setting.source}, takes effect ${WHEN[setting.takesEffect]}`,
    ...setting.overrides.map((o) => `      overrides ${o.value} (${o.source})`),
  ];
}

function workloadLines(workload: WorkloadTelemetry, explanation: Explanation): string[] {
  const at = explanation.locations.get(workload.path);
  const lines = [`${workload.workload}${at ? ` (${renderLocation(at)})` : ''}`];
  const { ambient } = workload;
  if (ambient) {
    lines.push(`  ambient: ${ambient.enrolledBy}; ztunnel reports its connections (L4)`);
    if (!ambient.waypoint) {
      lines.push(
        `  no waypoint${ambient.optedOutBy ? ` (${ambient.optedOutBy})` : ''}: no L7 setting reaches it, nothing reports its requests`,
      );
      return lines;
    }
    lines.push(`  waypoint: ${ambient.waypoint.gateway} (${ambient.waypoint.attachedBy}) applies:`);
  }
  if (workload.overlapping) {
    lines.push(
      `  overlapping Telemetry: ${workload.overlapping.selecting.join(', ')} select its pods; applied ${workload.overlapping.order}: ${workload.overlapping.applied.join(', ')}`,
    );
  }
  if (workload.settings.length === 0) lines.push("  Istio's defaults only");
  for (const setting of workload.settings) lines.push(...settingLines(setting));
  const findings = explanation.findings.filter((f) => f.path === workload.path);
  for (const finding of findings) lines.push(`  ${finding.severity}: ${describeProblem(finding)} (${finding.rule})`);
  return lines;
}

function conflictLines(explanation: Explanation): string[] {
  return explanation.conflicts.map(
    (c) =>
      `conflict: ${c.workload} is declared ${c.variants.length} times (${c.variants.map(renderLocation).join(', ')}): each variant is explained on its own, not merged; kubectl apply keeps the last one applied`,
  );
}

function explanationText(explanation: Explanation, input: AdoptInput, all: boolean): string {
  const { review } = explanation;
  const lines = [`Istio ${explanation.istioVersion} (${input.release}); ${input.set.files.length} file(s)`, ''];
  lines.push(...conflictLines(explanation));
  if (explanation.conflicts.length > 0) lines.push('');
  if (all) {
    lines.push('mesh-wide');
    if (review.mesh.length === 0) lines.push("  Istio's defaults");
    for (const setting of review.mesh) lines.push(...settingLines(setting));
    lines.push('');
  }
  for (const workload of review.workloads) lines.push(...workloadLines(workload, explanation), '');
  if (all && review.workloads.length === 0) lines.push('no meshed workloads', '');
  if (all && review.unmeshed.length > 0) lines.push(`not meshed: ${review.unmeshed.join(', ')}`, '');
  if (all && explanation.findings.length > 0) {
    lines.push('findings (as lint reports them over the input applied together):');
    lines.push(...explanation.findings.map(formatLintFinding), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function explanationMarkdown(explanation: Explanation, input: AdoptInput): string {
  const lines = [`## Istio ${explanation.istioVersion}`, '', `Explained ${input.release}.`];
  const conflicts = conflictLines(explanation);
  if (conflicts.length > 0) lines.push('', ...conflicts.map((c) => `**Warning:** ${c}`));
  lines.push(...reviewSections(explanation.review));
  if (explanation.findings.length > 0) {
    lines.push('', '### Findings', '', ...explanation.findings.map((f) => `- ${formatLintFinding(f)}`));
  }
  return `${lines.join('\n')}\n`;
}

function explanationJson(explanation: Explanation, input: AdoptInput): string {
  const located = (path: string) => {
    const at = explanation.locations.get(path);
    return at ? { location: at } : {};
  };
  return `${JSON.stringify(
    {
      istioVersion: explanation.istioVersion,
      release: input.release,
      files: input.set.files,
      mesh: explanation.review.mesh,
      workloads: explanation.review.workloads.map((w) => ({ ...w, ...located(w.path) })),
      unmeshed: explanation.review.unmeshed,
      conflicts: explanation.conflicts,
      findings: explanation.findings.map(findingJson),
    },
    null,
    2,
  )}\n`;
}
