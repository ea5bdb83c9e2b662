import { existsSync, writeFileSync } from 'node:fs';
import { draftYaml, notExpressedLines, SECTION_ORDER } from '../app/adopt/config-yaml';
import { importInputSet } from '../app/adopt/import-config';
import { ConfigFileError } from '../app/config/config-file';
import { validateManifests } from '../app/lint/manifest-validator';
import { ValidationFailedError } from '../core/problems/finding';
import { installInputOf } from '../model/install-inputs';
import type { RenderedObject } from '../model/objects';
import { podTemplateField } from '../model/pod-templates';
import { parseCommandOptions } from './command-options';
import { readAdoptInput } from './explain';
import { checkRoundTrip } from './round-trip';
import { formatFileProblem, formatLintFinding } from './validate';
import type { Writer } from './writer';

export const IMPORT_USAGE =
  'usage: import [--istio-version <X.Y[.Z]>] [--namespace <ns>] [--out <file>] <file or folder>...\n' +
  '  writes an observability.yaml (default ./observability.yaml, never over an existing file) that\n' +
  '  synthesizes to the settings the input applies per workload: from IstioOperators, istiod Helm values,\n' +
  "  the Sail Operator's Istio, the istio ConfigMap, Telemetry, attributegen EnvoyFilters and WasmPlugins,\n" +
  "  and workloads' pod templates, in files, folders, kustomize folders (built) or a `kubectl get -A -o yaml`\n" +
  '  dump. What it cannot express is listed with file:line and why, for you to keep applying;\n' +
  '  --istio-version: default, the release the input was installed at, else the newest;\n' +
  '  --namespace: where objects that name none are applied (kubectl apply -n); default: default';

/**
 * Rules whose errors mean the input is not valid at the release (a field it lacks, an API it does
 * not serve, a malformed object): importing it would declare what the cluster refuses.
 */
const REFUSING_RULES = new Set(['object-schema', 'field-availability', 'istio-api-version', 'kubernetes-metadata']);

/** Whether import reads anything from the object. */
function isImportable(object: RenderedObject): boolean {
  const { kind, apiVersion } = object.manifest;
  return (
    installInputOf(object.manifest) !== undefined ||
    podTemplateField(kind) !== undefined ||
    kind === 'Pod' ||
    ['telemetry.istio.io', 'networking.istio.io', 'extensions.istio.io'].includes(apiVersion.split('/')[0] ?? '')
  );
}

/** `import`: an observability.yaml from what a mesh already runs. Exit 0 written, 1 refused input, 2 usage. */
export async function runImport(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const parsed = parseCommandOptions(argv, ['istio-version', 'namespace', 'out'], IMPORT_USAGE, out, err);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    err.write(`no files given\n${IMPORT_USAGE}\n`);
    return 2;
  }
  const outFile = values.out ?? 'observability.yaml';
  if (existsSync(outFile)) {
    err.write(`--out: ${outFile} exists; import never writes over a file (give another --out, or move it away)\n`);
    return 2;
  }
  const input = readAdoptInput(positionals, values.namespace ?? 'default', values['istio-version'], err);
  if (!input) return 2;
  const { set, istioVersion } = input;
  const problems = set.problems.map(formatFileProblem);
  if (problems.length === 0 && !set.objects.some(isImportable)) {
    const kinds = [...new Set(set.objects.map((o) => o.manifest.kind))].sort();
    problems.push(
      `${set.files.join(', ')}: error: holds ${kinds.length > 0 ? `only ${kinds.join(', ')}` : 'no object'}, expected Istio objects (Telemetry, IstioOperator, the istio ConfigMap, istiod Helm values, a Sail Istio, EnvoyFilter, WasmPlugin) or workloads with pod templates`,
    );
  }
  if (problems.length === 0) {
    const findings = await validateManifests([...set.documents.values()], { istioVersion });
    problems.push(
      ...findings.filter((f) => f.severity === 'error' && REFUSING_RULES.has(f.rule)).map(formatLintFinding),
    );
  }
  if (problems.length > 0) {
    err.write(`${problems.join('\n')}\n\nnothing written: the input is not valid at Istio ${istioVersion}\n`);
    return 1;
  }
  const draft = importInputSet(set, { istioVersion, release: input.release, outFile });
  const header = [
    'yaml-language-server: $schema=./node_modules/cdk8s-istio-observability/schemas/observability.schema.json',
    '',
    `Imported by cdk8s-istio-observability from ${positionals.join(', ')} (${set.files.length} file(s)) for Istio ${istioVersion}, ${input.release}. Review it: each entry says where it was read; what could not be expressed is listed at the end. Check it with \`explain\` of the input against \`explain\` of a synth of this file.`,
  ];
  writeFileSync(outFile, draftYaml(draft, header), { flag: 'wx' });
  const check = await roundTripLines(set, draft, istioVersion, values.namespace ?? 'default', outFile);
  const counted = SECTION_ORDER.filter((k) => !['mesh', 'backends'].includes(k)).flatMap((k) => {
    const section = draft.config[k];
    return typeof section === 'object' && section !== null ? [`${Object.keys(section).length} ${k}`] : [];
  });
  const lines = notExpressedLines(draft);
  out.write(
    `wrote ${outFile}: ${counted.join(', ') || 'no settings'}${lines.length > 0 ? `; ${draft.conflicts.length} conflict(s), ${draft.notExpressed.length} not expressed:\n${lines.join('\n')}` : ''}\n`,
  );
  out.write(`${check.lines.join('\n')}\n`);
  return check.ok ? 0 : 1;
}

/**
 * Synthesizes the declaration and compares what adopting it applies with what the input applies,
 * workload by workload (cli/round-trip.ts); the lines to print and whether they agree.
 */
async function roundTripLines(
  set: Parameters<typeof checkRoundTrip>[0],
  draft: Parameters<typeof checkRoundTrip>[1],
  istioVersion: string,
  namespace: string,
  outFile: string,
): Promise<{ readonly ok: boolean; readonly lines: readonly string[] }> {
  let trip: Awaited<ReturnType<typeof checkRoundTrip>>;
  try {
    trip = await checkRoundTrip(set, draft, istioVersion, namespace, outFile);
  } catch (error) {
    if (error instanceof ValidationFailedError || error instanceof ConfigFileError) {
      return { ok: false, lines: ['\nthe declaration does not synthesize; fix it by hand:', error.message] };
    }
    if ((error as Error).message.includes('kubectl is not on PATH')) {
      return {
        ok: true,
        lines: ['\nnot checked against the input: kubectl is not on PATH (its kustomize builds the output)'],
      };
    }
    throw error;
  }
  const excused = trip.excused > 0 ? ` (${trip.excused} setting(s) not compared: listed as not expressed)` : '';
  if (trip.differences.length === 0) {
    return {
      ok: true,
      lines: [
        `\nchecked: a synth of it applies the same settings as the input to each of ${trip.compared - 1} workload(s) and mesh-wide${excused}`,
      ],
    };
  }
  return {
    ok: false,
    lines: [
      `\nchecked: a synth of it differs from the input in ${trip.differences.length} setting(s)${excused}:`,
      ...trip.differences.map((d) => `  ${d.workload} ${d.piece}: input ${d.input}, synth ${d.output}`),
    ],
  };
}
