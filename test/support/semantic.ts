import { parseAllDocuments, parse as parseYaml } from 'yaml';

type Json = unknown;
type Obj = Record<string, unknown>;

/** A difference between two manifests at a path such as `spec.template.metadata.labels["app"]`. */
export interface Difference {
  readonly object: string;
  readonly path: string;
  readonly ours: Json;
  readonly seed: Json;
}

/** Parses a multi-document YAML file into objects (empty documents dropped). */
export function parseManifests(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => o !== null && typeof o === 'object');
}

/** `Kind/name`, the key manifests are matched by. */
export function objectKey(o: Obj): string {
  const metadata = (o.metadata ?? {}) as Obj;
  return `${String(o.kind)}/${String(metadata.name ?? '(unnamed)')}`;
}

/**
 * Puts a manifest in a form where equal meaning gives equal data:
 * - embedded documents are parsed: the `proxy.istio.io/config` annotation (YAML), a bootstrap
 *   override's `custom_bootstrap.json` and the attributegen plugin JSON;
 * - fields set to the value the Kubernetes API server would default them to are dropped
 *   (cdk8s-plus-27 writes many defaults out; the book's manifests leave them out);
 * - `namespace` (kubectl apply -n) is filled in where the manifest leaves it out.
 */
export function normalize(input: Obj, namespace?: string): Obj {
  const o = structuredClone(input);
  if (o.metadata === undefined) o.metadata = {};
  const metadata = o.metadata as Obj;
  if (namespace !== undefined && metadata.namespace === undefined && o.kind !== 'IstioOperator') {
    metadata.namespace = namespace;
  }
  switch (o.kind) {
    case 'Deployment':
      normalizeDeployment(o);
      break;
    case 'Service':
      normalizeService(o);
      break;
    case 'ServiceAccount':
      dropIf(o, 'automountServiceAccountToken', true);
      break;
    case 'ConfigMap': {
      dropIf(o, 'immutable', false);
      // Embedded documents by their key's extension: custom_bootstrap.json, prometheus.yml, dashboards.
      const data = (o.data ?? {}) as Obj;
      for (const [key, value] of Object.entries(data)) {
        if (typeof value !== 'string') continue;
        if (key.endsWith('.json')) data[key] = JSON.parse(value);
        else if (/\.ya?ml$/.test(key)) data[key] = parseYaml(value);
      }
      break;
    }
    case 'EnvoyFilter':
      for (const patch of ((o.spec as Obj)?.configPatches ?? []) as Obj[]) {
        const configuration = dig(patch, ['patch', 'value', 'typed_config', 'value', 'config', 'configuration']) as
          | Obj
          | undefined;
        if (configuration && typeof configuration.value === 'string')
          configuration.value = JSON.parse(configuration.value);
      }
      break;
  }
  return o;
}

function normalizeDeployment(o: Obj): void {
  const spec = (o.spec ?? {}) as Obj;
  dropIf(spec, 'replicas', 1);
  dropIf(spec, 'minReadySeconds', 0);
  dropIf(spec, 'progressDeadlineSeconds', 600);
  dropIf(spec, 'revisionHistoryLimit', 10);
  dropIf(spec, 'strategy', { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' });
  const template = (spec.template ?? {}) as Obj;
  const annotations = dig(template, ['metadata', 'annotations']) as Obj | undefined;
  if (annotations && typeof annotations['proxy.istio.io/config'] === 'string') {
    annotations['proxy.istio.io/config'] = parseYaml(annotations['proxy.istio.io/config']);
  }
  const pod = (template.spec ?? {}) as Obj;
  dropIf(pod, 'dnsPolicy', 'ClusterFirst');
  dropIf(pod, 'hostNetwork', false);
  dropIf(pod, 'restartPolicy', 'Always');
  dropIf(pod, 'setHostnameAsFQDN', false);
  dropIf(pod, 'terminationGracePeriodSeconds', 30);
  dropIf(pod, 'automountServiceAccountToken', true);
  normalizeSecurityContext(pod, { runAsNonRoot: false, fsGroupChangePolicy: 'Always' });
  for (const container of (pod.containers ?? []) as Obj[]) {
    normalizeSecurityContext(container, { runAsNonRoot: false, readOnlyRootFilesystem: false, privileged: false });
    for (const port of (container.ports ?? []) as Obj[]) dropIf(port, 'protocol', 'TCP');
    // The API server pulls a pinned tag IfNotPresent unless told otherwise.
    const image = String(container.image ?? '');
    if (/:[^/]+$/.test(image) && !image.endsWith(':latest')) dropIf(container, 'imagePullPolicy', 'IfNotPresent');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const p = container[probe] as Obj | undefined;
      if (!p) continue;
      for (const [key, value] of Object.entries(PROBE_DEFAULTS)) dropIf(p, key, value);
      if (p.httpGet) dropIf(p.httpGet as Obj, 'scheme', 'HTTP');
    }
  }
}

/** Probe fields the API server defaults (core/v1 Probe). */
const PROBE_DEFAULTS: Obj = { failureThreshold: 3, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 };

function normalizeService(o: Obj): void {
  const spec = (o.spec ?? {}) as Obj;
  dropIf(spec, 'type', 'ClusterIP');
  dropIf(spec, 'externalIPs', []);
  for (const port of (spec.ports ?? []) as Obj[]) {
    dropIf(port, 'protocol', 'TCP');
    // targetPort defaults to port (core/v1 ServicePort).
    if (port.targetPort === port.port) delete port.targetPort;
  }
}

/** Drops security-context fields whose value means "not set" and the context itself when empty. */
function normalizeSecurityContext(holder: Obj, noOps: Obj): void {
  const context = holder.securityContext as Obj | undefined;
  if (!context) return;
  for (const [key, value] of Object.entries(noOps)) dropIf(context, key, value);
  if (Object.keys(context).length === 0) delete holder.securityContext;
}

function dropIf(o: Obj, key: string, value: Json): void {
  if (key in o && JSON.stringify(o[key]) === JSON.stringify(value)) delete o[key];
}

function dig(o: Json, path: readonly string[]): Json {
  let current = o;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Obj)[key];
  }
  return current;
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const segment = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return segment;
  return segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}

/** Every path where `ours` and `seed` differ; arrays of different lengths differ as a whole. */
export function diff(object: string, ours: Json, seed: Json, path = ''): Difference[] {
  if (Array.isArray(ours) && Array.isArray(seed) && ours.length === seed.length) {
    return ours.flatMap((item, i) => diff(object, item, seed[i], pathOf(path, i)));
  }
  const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(ours) && isObj(seed)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(seed)])].sort();
    return keys.flatMap((key) => diff(object, ours[key], seed[key], pathOf(path, key)));
  }
  return JSON.stringify(ours) === JSON.stringify(seed) ? [] : [{ object, path, ours, seed }];
}

/** Compares synthesized manifests to a seed file object by object, after normalization. */
export function compareToSeed(oursText: string, seedText: string, namespace?: string) {
  const ours = new Map(parseManifests(oursText).map((o) => [objectKey(o), normalize(o)]));
  const seed = new Map(
    parseManifests(seedText).map((o) => [objectKey(normalize(o, namespace)), normalize(o, namespace)]),
  );
  const unmatchedSeed = new Map(seed);
  const differences: Difference[] = [];
  const extraObjects: string[] = [];
  for (const [key, object] of ours) {
    // The book's IstioOperators often have no name; match them by kind when there is one of each.
    const seedKey = seed.has(key) ? key : key.startsWith('IstioOperator/') ? 'IstioOperator/(unnamed)' : key;
    const counterpart = unmatchedSeed.get(seedKey);
    if (!counterpart) {
      extraObjects.push(key);
      continue;
    }
    unmatchedSeed.delete(seedKey);
    differences.push(...diff(key, object, counterpart));
  }
  return { differences, extraObjects, missingObjects: [...unmatchedSeed.keys()] };
}
