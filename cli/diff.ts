import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ConfigFileError } from '../constructs/config/config-file';
import { byCodePoint } from '../constructs/merge/sorted-entries';
import { BOOTSTRAP_OVERRIDE_ANNOTATION } from '../constructs/proxy-config/istio-pod-annotations';
import { ValidationFailedError } from '../constructs/validate/finding';
import { synthConfigFile } from './synth';
import type { Writer } from './writer';

export const DIFF_USAGE =
  'usage: diff [--config <file>] [--out <dir>]\n' +
  '  synthesizes the config into a temporary folder and compares it with the committed output (default dist/);\n' +
  '  exit 0 when equal, 1 when they differ (re-run synth and commit), 2 when the synth fails';

type Json = Record<string, unknown>;
interface ObjectRef {
  readonly file: string;
  readonly manifest: Json;
}

/** Every object of every `*.yaml` under `dir`, by `file: Kind namespace/name`. */
function objectsIn(dir: string): Map<string, ObjectRef> {
  const objects = new Map<string, ObjectRef>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder).sort(byCodePoint)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.k8s.yaml')) {
        const file = relative(dir, path);
        for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
          const manifest = document.toJS() as Json | null;
          if (!manifest) continue;
          const metadata = (manifest.metadata ?? {}) as Json;
          const ns = metadata.namespace ? `${metadata.namespace}/` : '';
          objects.set(`${file}: ${manifest.kind} ${ns}${metadata.name}`, { file, manifest });
        }
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return objects;
}

/** Leaf paths where `a` and `b` differ: `spec.tracing[0].randomSamplingPercentage`. */
export function changedFields(a: unknown, b: unknown, path = '', leaves = false): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  // An added subtree counts as each of its leaves when asked (restart flags look for specific fields).
  if (
    leaves &&
    (a === undefined || (typeof a === 'object' && a !== null && Object.keys(a).length === 0)) &&
    b !== null &&
    typeof b === 'object'
  ) {
    return Object.entries(b as Json).flatMap(([k, v]) => changedFields(undefined, v, path ? `${path}.${k}` : k, true));
  }
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [path || '(whole object)'];
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => changedFields(a[i], b[i], `${path}[${i}]`, leaves)).flat();
  }
  const keys = [...new Set([...Object.keys(a as Json), ...Object.keys(b as Json)])].sort(byCodePoint);
  return keys.flatMap((k) =>
    changedFields(
      (a as Json)[k],
      (b as Json)[k],
      /^[A-Za-z_][\w-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`,
      leaves,
    ),
  );
}

/**
 * Why a change needs a pod restart (facts A.9), or undefined: the mesh-wide ProxyConfig of an
 * IstioOperator, and a bootstrap override ConfigMap (its workloads, from the new output). Pod
 * template changes roll out by themselves, and Telemetry is pushed over xDS.
 */
function restartNeeded(ref: ObjectRef, fields: readonly string[], fresh: Map<string, ObjectRef>): string | undefined {
  const { kind, metadata } = ref.manifest as { kind: string; metadata: Json };
  if (kind === 'IstioOperator' && fields.some((f) => f.startsWith('spec.meshConfig.defaultConfig'))) {
    return 'restart needed: mesh-wide ProxyConfig (meshConfig.defaultConfig) is read when a proxy starts; restart every meshed workload after istioctl install';
  }
  if (kind === 'ConfigMap' && fields.some((f) => f.includes('custom_bootstrap.json'))) {
    const users = [...fresh.values()]
      .filter((o) => {
        const template = ((o.manifest.spec as Json | undefined)?.template as Json | undefined)?.metadata as
          | Json
          | undefined;
        const annotations = (template?.annotations ?? {}) as Json;
        return (
          annotations[BOOTSTRAP_OVERRIDE_ANNOTATION] === metadata.name &&
          (o.manifest.metadata as Json).namespace === metadata.namespace
        );
      })
      .map((o) => `${o.manifest.kind}/${(o.manifest.metadata as Json).name}`);
    return `restart needed: the bootstrap override is read when a pod starts; kubectl rollout restart ${users.join(' ') || '(no workload uses it)'}`;
  }
  return undefined;
}

/** The per-object summary of two output folders; empty when the manifests are equal. */
export function diffOutputs(committedDir: string, freshDir: string): string[] {
  const committed = objectsIn(committedDir);
  const fresh = objectsIn(freshDir);
  const lines: string[] = [];
  const keys = [...new Set([...committed.keys(), ...fresh.keys()])].sort(byCodePoint);
  for (const key of keys) {
    const before = committed.get(key);
    const after = fresh.get(key);
    if (!before && after) {
      lines.push(`+ ${key}: added`);
      const flag = restartNeeded(after, changedFields({}, after.manifest, '', true), fresh);
      if (flag) lines.push(`    ! ${flag}`);
    } else if (before && !after) lines.push(`- ${key}: removed`);
    else if (before && after) {
      const fields = changedFields(before.manifest, after.manifest);
      if (fields.length === 0) continue;
      lines.push(`~ ${key}: ${fields.length} field(s) changed`);
      for (const field of fields) lines.push(`    ${field}`);
      if (fields.some((f) => f.includes('.template.metadata.annotations')))
        lines.push('    rollout: the pod template changed, so applying it replaces the pods');
      const flag = restartNeeded(after, fields, fresh);
      if (flag) lines.push(`    ! ${flag}`);
    }
  }
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
      options: { config: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
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
