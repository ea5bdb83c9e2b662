#!/usr/bin/env node
// Derives the per-release tables the version policy reads from the vendored Istio data in
// ../shared (never shipped, never copied): which API versions and which spec fields each minor
// release's CRDs serve (shared/crds/istio-<tag>/crd-all.gen.yaml, istio/istio
// manifests/charts/base/{crds,files}/crd-all.gen.yaml at that tag), and what the add-ons of each
// release look like (shared/addons/istio-<tag>/, istio/istio samples/addons at that tag).
// Writes core/version/release-tables.generated.ts; `RELEASE_TABLES_OUT` writes elsewhere,
// which the freshness test uses. Only what differs between releases is recorded, so the table is
// a few kilobytes where the CRDs are megabytes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, process.env.SHARED_DIR ?? '../shared');
const out = resolve(root, process.env.RELEASE_TABLES_OUT ?? 'core/version/release-tables.generated.ts');

/** `istio-1.17.8` → { minor: '1.17', tag: '1.17.8' }, oldest first. */
function releaseFolders(dir) {
  if (!existsSync(dir)) {
    console.error(`derive-release-tables: ${dir} not found (../shared must sit beside the clone)`);
    process.exit(1);
  }
  return readdirSync(dir)
    .map((name) => /^istio-((\d+)\.(\d+)\.\d+(?:-[\w.]+)?)$/.exec(name))
    .filter(Boolean)
    .map((m) => ({ folder: m[0], tag: m[1], minor: `${m[2]}.${m[3]}`, order: Number(m[2]) * 1000 + Number(m[3]) }))
    .sort((a, b) => a.order - b.order);
}

const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// CRDs: served versions and field paths.

/** Every field path under `spec` of a schema: `spec.a.b[].c.*.d` (`[]` list items, `*` map values). */
function fieldPaths(schema, path, into) {
  if (!schema || typeof schema !== 'object') return;
  into.add(path);
  // A field whose content is free-form (EnvoyFilter patch values, Struct fields) has no sub-paths to gate.
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  for (const [name, child] of Object.entries(schema.properties ?? {})) fieldPaths(child, `${path}.${name}`, into);
  if (schema.items) fieldPaths(schema.items, `${path}[]`, into);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    fieldPaths(schema.additionalProperties, `${path}.*`, into);
  }
}

/** Every `x-kubernetes-validations` rule of a schema, at any depth. */
function validationRules(schema, into) {
  if (!schema || typeof schema !== 'object') return;
  // Releases rewrite a rule's quoting and spacing: compared without them (celRuleKey in version-policy.ts).
  for (const v of schema['x-kubernetes-validations'] ?? []) into.add(v.rule.replace(/\s+/g, '').replaceAll("'", '"'));
  for (const child of Object.values(schema.properties ?? {})) validationRules(child, into);
  if (schema.items) validationRules(schema.items, into);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    validationRules(schema.additionalProperties, into);
  }
}

const crdReleases = releaseFolders(join(shared, 'crds'));
/** group/Kind → CEL rule → minors whose CRD has it. */
const rules = new Map();
/** group/Kind → minors whose CRDs have the kind. */
const kindMinors = new Map();
/** group/version → minors serving it; group/Kind → path → minors having it. */
const served = new Map();
const fields = new Map();
for (const release of crdReleases) {
  const text = readFileSync(join(shared, 'crds', release.folder, 'crd-all.gen.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const kind = `${crd.spec.group}/${crd.spec.names.kind}`;
    const paths = new Set();
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const gv = `${crd.spec.group}/${version.name}`;
      if (!served.has(gv)) served.set(gv, new Set());
      served.get(gv).add(release.minor);
      const spec = version.schema?.openAPIV3Schema?.properties?.spec;
      if (spec) fieldPaths(spec, 'spec', paths);
      const found = new Set();
      validationRules(version.schema?.openAPIV3Schema, found);
      if (!rules.has(kind)) rules.set(kind, new Map());
      for (const rule of found) {
        if (!rules.get(kind).has(rule)) rules.get(kind).set(rule, new Set());
        rules.get(kind).get(rule).add(release.minor);
      }
    }
    if (!kindMinors.has(kind)) kindMinors.set(kind, new Set());
    kindMinors.get(kind).add(release.minor);
    if (!fields.has(kind)) fields.set(kind, new Map());
    for (const path of paths) {
      const kindFields = fields.get(kind);
      if (!kindFields.has(path)) kindFields.set(path, new Set());
      kindFields.get(path).add(release.minor);
    }
  }
}

const minors = crdReleases.map((r) => r.minor);

/** The contiguous range of releases in `present`, as [since, until?] (until: the first release without it). */
function range(present, what) {
  const indexes = minors.map((m, i) => (present.has(m) ? i : -1)).filter((i) => i >= 0);
  const first = indexes[0];
  const last = indexes[indexes.length - 1];
  if (last - first + 1 !== indexes.length) {
    throw new Error(`${what} comes and goes (${[...present].join(', ')}): the table cannot express it`);
  }
  return last === minors.length - 1 ? [minors[first]] : [minors[first], minors[last + 1]];
}

const servedTable = Object.fromEntries(
  [...served.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([gv, set]) => [gv, range(set, gv)]),
);

/**
 * Paths whose availability differs from the kind's own (fields added or removed along the way).
 * A path whose parent has the same range is left out: the parent's entry already gates it.
 */
const fieldTable = {};
for (const [kind, paths] of [...fields.entries()].sort(([a], [b]) => byCodePoint(a, b))) {
  const kindRange = JSON.stringify(range(new Set([...paths.values()].flatMap((s) => [...s])), kind));
  const ranges = new Map([...paths.entries()].map(([p, s]) => [p, JSON.stringify(range(s, `${kind} ${p}`))]));
  const parentOf = (p) => p.replace(/(\[\]|\.[^.[\]]+)$/, '');
  const entries = [...ranges.entries()]
    .filter(([p, r]) => r !== kindRange && (p === 'spec' || ranges.get(parentOf(p)) !== r))
    .sort(([a], [b]) => byCodePoint(a, b));
  if (entries.length > 0) fieldTable[kind] = Object.fromEntries(entries.map(([p, r]) => [p, JSON.parse(r)]));
}

// ---------------------------------------------------------------------------------------------
// Add-ons: the Jaeger and envoy-stats PodMonitor Istio ships per release.

const addonReleases = releaseFolders(join(shared, 'addons'));
const docsOf = (release, file) =>
  parseAllDocuments(readFileSync(join(shared, 'addons', release.folder, file), 'utf8'))
    .map((d) => d.toJS())
    .filter((o) => o && typeof o === 'object');

/** The relabel rules as the Prometheus Operator writes them, keys sorted (the table's own order). */
const relabeling = (rule) => Object.fromEntries(Object.entries(rule).sort(([a], [b]) => byCodePoint(a, b)));

const addons = {};
for (const release of addonReleases) {
  const jaeger = docsOf(release, 'jaeger.yaml');
  const deployment = jaeger.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'jaeger');
  const container = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === 'jaeger');
  const collector = jaeger.find((o) => o.kind === 'Service' && o.metadata?.name === 'jaeger-collector');
  const monitor = docsOf(release, 'prometheus-operator.yaml').find(
    (o) => o.kind === 'PodMonitor' && o.metadata?.name === 'envoy-stats-monitor',
  );
  if (!container || !collector || !monitor)
    throw new Error(`${release.folder}: jaeger or envoy-stats-monitor not found`);
  addons[release.minor] = {
    tag: release.tag,
    jaegerImage: container.image,
    jaegerCollectorPorts: collector.spec.ports
      .map((p) => ({ name: p.name, port: p.port }))
      .sort((a, b) => a.port - b.port),
    podMonitorRelabelings: monitor.spec.podMetricsEndpoints[0].relabelings.map(relabeling),
  };
}

// ---------------------------------------------------------------------------------------------
// The Sail Operator's Istio CRD: the spec.version values it supports, from the field's own
// description ("Must be one of: ..."); its enum also keeps older, unsupported values.

const sailFolder = readdirSync(join(shared, 'crds')).find((name) => /^sail-operator-\d+\.\d+\.\d+$/.test(name));
if (!sailFolder) {
  console.error('derive-release-tables: no sail-operator-<release> folder in the vendored CRDs');
  process.exit(1);
}
const sailCrd = readFileSync(join(shared, 'crds', sailFolder, 'sailoperator.io_istios.yaml'), 'utf8');
const sailVersions = /Must be one of: (v1[^\n]*?)\.\n/.exec(sailCrd)?.[1].split(', ');
if (!sailVersions) {
  console.error(`derive-release-tables: no "Must be one of" list in ${sailFolder}'s spec.version`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------

const tags = Object.fromEntries(crdReleases.map((r) => [r.minor, r.tag]));
/** One entry per line: the table is read in reviews of a regeneration's diff. */
const lines = (entries, indent, value = (v) => JSON.stringify(v)) =>
  entries.map(([k, v]) => `${indent}${JSON.stringify(k)}: ${value(v)},`).join('\n');
const fieldBlock = Object.entries(fieldTable)
  .map(([kind, paths]) => `  ${JSON.stringify(kind)}: {\n${lines(Object.entries(paths), '    ')}\n  },`)
  .join('\n');
// Rules a kind's CRD does not have in every release that has the kind, with the releases that do
// (a list: a rule may be rewritten and come back under the same text).
const ruleTable = {};
for (const [kind, byRule] of [...rules.entries()].sort(([a], [b]) => byCodePoint(a, b))) {
  const all = kindMinors.get(kind);
  const partial = [...byRule.entries()]
    .filter(([, set]) => set.size !== all.size)
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([rule, set]) => [rule, [...set].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))]);
  if (partial.length > 0) ruleTable[kind] = Object.fromEntries(partial);
}
const ruleBlock = Object.entries(ruleTable)
  .map(([kind, byRule]) => `  ${JSON.stringify(kind)}: {\n${lines(Object.entries(byRule), '    ')}\n  },`)
  .join('\n');
const addonBlock = Object.entries(addons)
  .map(
    ([minor, a]) =>
      `  ${JSON.stringify(minor)}: {\n    tag: ${JSON.stringify(a.tag)},\n    jaegerImage: ${JSON.stringify(a.jaegerImage)},\n` +
      `    jaegerCollectorPorts: ${JSON.stringify(a.jaegerCollectorPorts)},\n` +
      `    podMonitorRelabelings: [\n${a.podMonitorRelabelings.map((r) => `      ${JSON.stringify(r)},`).join('\n')}\n    ],\n  },`,
  )
  .join('\n');
const body = `// generated by scripts/derive-release-tables.mjs from each Istio release's
// manifests/charts/base/{crds,files}/crd-all.gen.yaml and samples/addons (istio/istio at the tags
// in CRD_RELEASE_TAGS and ADDON_RELEASES); do not edit.
// Regenerate with \`npm run derive\`; test/release-tables.test.ts checks it is fresh.

/** The Istio tag whose CRDs each minor release's rows were read from. */
export const CRD_RELEASE_TAGS: Readonly<Record<string, string>> = {
${lines(Object.entries(tags), '  ')}
};

/** API versions (\`group/version\`) served by the CRDs: [first minor, first minor without it]. */
export const SERVED_API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
${lines(Object.entries(servedTable), '  ')}
};

/**
 * Spec fields (\`spec.a[].b.*.c\`) whose releases differ from their kind's, by \`group/Kind\`:
 * [first minor that has the field, first minor without it].
 */
export const CRD_FIELD_RANGES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
${fieldBlock}
};

/**
 * CRD validation rules (\`x-kubernetes-validations\`) that not every release's CRD of a kind has,
 * by \`group/Kind\` and rule: the minor releases whose CRD has it.
 */
export const CRD_RULE_RELEASES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
${ruleBlock}
};

/** The add-ons of samples/addons at each minor release's tag. */
export interface AddonRelease {
  readonly tag: string;
  readonly jaegerImage: string;
  readonly jaegerCollectorPorts: readonly { readonly name: string; readonly port: number }[];
  readonly podMonitorRelabelings: readonly Readonly<Record<string, unknown>>[];
}

export const ADDON_RELEASES: Readonly<Record<string, AddonRelease>> = {
${addonBlock}
};

/**
 * The Sail Operator release whose \`Istio\` CRD is vendored, and the \`spec.version\` values it
 * supports (istio-ecosystem/sail-operator@${sailFolder.replace('sail-operator-', '')}:chart/crds/sailoperator.io_istios.yaml).
 */
export const SAIL_OPERATOR_RELEASE = ${JSON.stringify(sailFolder.replace('sail-operator-', ''))};
export const SAIL_ISTIO_VERSIONS: readonly string[] = [
${sailVersions.map((v) => `  ${JSON.stringify(v)},`).join('\n')}
];
`;
writeFileSync(out, body);
