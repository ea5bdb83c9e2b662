import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { alertChanges } from '../analysis/review/alert-changes';
import { changeEffect, startupFields } from '../analysis/review/change-effect';
import { seriesChanges, seriesEstimates } from '../analysis/review/series-estimate';
import { ConfigFileError } from '../app/config/config-file';
import { readManifestFiles } from '../app/lint/manifest-files';
import { BOOTSTRAP_OVERRIDE_ANNOTATION } from '../core/istio/istio-names';
import { jsonEqual } from '../core/json-values';
import { byCodePoint } from '../core/merge/sorted-entries';
import { type FieldPath, keysOf, overlaps, renderField } from '../core/problems/field-path';
import { ValidationFailedError } from '../core/problems/finding';
import { valueAt, withEmbeddedDocuments } from '../model/install-inputs';
import type { Manifest } from '../model/objects';
import { type PodTemplate, podTemplates } from '../model/pod-templates';
import { synthConfigFile } from './synth';
import type { Writer } from './writer';

export const DIFF_USAGE =
  'usage: diff [--config <file>] [--out <dir>]\n' +
  '  synthesizes the config into a temporary folder and compares it with the committed output (default dist/);\n' +
  '  exit 0 when equal, 1 when they differ (re-run synth and commit), 2 when the synth fails';

type Json = Record<string, unknown>;

/** Every object of every `*.k8s.yaml` under `dir`, by `file: Kind namespace/name`. */
function objectsIn(dir: string): Map<string, Manifest> {
  if (!existsSync(dir)) return new Map();
  const documents = readManifestFiles([dir]).documents.filter((d) => d.file.endsWith('.k8s.yaml'));
  return new Map(
    documents.map(({ file, manifest }) => {
      const ns = manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : '';
      return [`${relative(dir, file)}: ${manifest.kind} ${ns}${manifest.metadata.name}`, manifest];
    }),
  );
}

/** Leaf paths where `a` and `b` differ: `['spec', 'tracing', 0, 'randomSamplingPercentage']`. */
export function changedFields(a: unknown, b: unknown, path: FieldPath = []): FieldPath[] {
  if (jsonEqual(a, b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [path];
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => changedFields(a[i], b[i], [...path, i])).flat();
  }
  const keys = [...new Set([...Object.keys(a as Json), ...Object.keys(b as Json)])].sort(byCodePoint);
  return keys.flatMap((k) => changedFields((a as Json)[k], (b as Json)[k], [...path, k]));
}

/** Whether `manifest` sets the field at `field` (`['data', 'custom_bootstrap.json']`). */
function hasField(manifest: Manifest, field: FieldPath): boolean {
  return valueAt(manifest, keysOf(field)) !== undefined;
}

/**
 * Why a change needs a pod restart, or undefined: it touched a part of the object proxies read
 * when they start (see change-effect.ts); for a bootstrap override, the workloads that use it,
 * from the new output.
 */
function restartNeeded(
  manifest: Manifest,
  touched: (field: FieldPath) => boolean,
  freshTemplates: readonly PodTemplate[],
): string | undefined {
  const startup = startupFields(manifest).find((s) => touched(s.field));
  if (!startup) return undefined;
  if (manifest.kind !== 'ConfigMap') {
    return `restart needed: ${startup.why}; restart every meshed workload after istioctl install`;
  }
  const users = freshTemplates
    .filter(
      (t) =>
        t.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION] === manifest.metadata.name &&
        t.namespace === manifest.metadata.namespace,
    )
    .map((t) => `${t.kind}/${t.name}`);
  return `restart needed: ${startup.why}; kubectl rollout restart ${users.join(' ') || '(no workload uses it)'}`;
}

/** The per-object summary of two output folders; empty when the manifests are equal. */
export function diffOutputs(committedDir: string, freshDir: string): string[] {
  const committed = objectsIn(committedDir);
  const fresh = objectsIn(freshDir);
  const freshTemplates = podTemplates([...fresh].map(([path, manifest]) => ({ path, manifest })));
  const lines: string[] = [];
  const keys = [...new Set([...committed.keys(), ...fresh.keys()])].sort(byCodePoint);
  for (const key of keys) {
    const before = committed.get(key);
    const after = fresh.get(key);
    if (!before && after) {
      lines.push(`+ ${key}: added`);
      const flag = restartNeeded(after, (field) => hasField(withEmbeddedDocuments(after), field), freshTemplates);
      if (flag) lines.push(`    ! ${flag}`);
    } else if (before && !after) lines.push(`- ${key}: removed`);
    else if (before && after) {
      // The mesh ConfigMap's `mesh` key compared as the mesh config istiod parses, field by field.
      const fields = changedFields(withEmbeddedDocuments(before), withEmbeddedDocuments(after));
      if (fields.length === 0) continue;
      lines.push(`~ ${key}: ${fields.length} field(s) changed`);
      for (const field of fields) lines.push(`    ${renderField(field) || '(whole object)'}`);
      if (fields.some((f) => changeEffect(after, f) === 'rollout'))
        lines.push('    rollout: the pod template changed, so applying it replaces the pods');
      const flag = restartNeeded(after, (field) => fields.some((f) => overlaps(f, field)), freshTemplates);
      if (flag) lines.push(`    ! ${flag}`);
    }
  }
  if (lines.length === 0) return lines;
  // What the change does to the Prometheus series each metric is estimated at (REPORT.md's estimate).
  const objects = (map: Map<string, Manifest>) => [...map].map(([path, manifest]) => ({ path, manifest }));
  const series = seriesChanges(seriesEstimates(objects(committed)), seriesEstimates(objects(fresh)));
  lines.push(...series.map((line) => `  series ${line}`));
  // What it does to the alerts Prometheus evaluates: added, removed, or firing differently.
  lines.push(...alertChanges(objects(committed), objects(fresh)).map((line) => `  alert ${line}`));
  return lines;
}

/** `diff`: a fresh synth against the committed output, for CI to require reviewed output. */
export async function runDiff(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  let config: string;
  let committed: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      out.write(`${DIFF_USAGE}\n`);
      return 0;
    }
    config = values.config ?? 'observability.yaml';
    committed = values.out ?? 'dist';
  } catch (error) {
    err.write(`${(error as Error).message}\n${DIFF_USAGE}\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'istio-observability-diff-'));
  try {
    const fresh = join(work, 'out');
    try {
      await synthConfigFile(config, fresh, committed);
    } catch (error) {
      if (error instanceof ValidationFailedError || error instanceof ConfigFileError) {
        err.write(`synth failed:\n${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const lines = diffOutputs(committed, fresh);
    const report = readFileSync(join(fresh, 'REPORT.md'), 'utf8');
    const reportPath = join(committed, 'REPORT.md');
    if (!existsSync(reportPath) || readFileSync(reportPath, 'utf8') !== report) lines.push('~ REPORT.md: changed');
    if (lines.length === 0) {
      out.write(`${committed}/ is up to date with ${config}\n`);
      return 0;
    }
    out.write(
      `${lines.join('\n')}\n\n${committed}/ differs from a fresh synth of ${config}: run npm run synth and commit the result\n`,
    );
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
