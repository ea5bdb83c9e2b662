import { CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { isMapping } from '../../core/json-values';
import type { Manifest } from '../../model/objects';
import { WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule } from '../rule';
import { IGNORE_CHECK_PREFIX } from '../run-rules';

/**
 * The objects the rules of scope `mesh` read besides the one they report on, and so the objects a
 * lint that checks one file at a time keeps from every file: the kinds those rules declare (mesh
 * configs, Telemetry, WasmPlugins, EnvoyFilters, Kiali), without the workloads, which are what
 * grows with a folder and are checked with their own file's objects, and with ConfigMaps kept in
 * part (see {@link MeshContext.of}).
 */
export class MeshContext {
  private readonly kinds: ReadonlySet<string>;
  private readonly text: RegExp;

  constructor(rules: readonly AppRule[]) {
    const kinds = rules.filter((r) => r.scope !== 'object').flatMap((r) => r.kinds);
    this.kinds = new Set(kinds.filter((k) => k !== '*' && k !== 'ConfigMap' && !WORKLOAD_KINDS.includes(k)));
    // The kinds (and ConfigMap, and a List that may hold any) as a YAML or JSON file spells them,
    // and the istiod values' `meshConfig` key, since those values have no kind.
    this.text = new RegExp(`kind["']?\\s*:\\s*["']?(${[...this.kinds, 'ConfigMap', 'List'].join('|')})\\b|meshConfig`);
  }

  /**
   * What a lint that checks one file at a time keeps of an object for the other files' checks: the
   * object itself when it is mesh-wide, a ConfigMap's name, namespace, keys (all that a pod's
   * bootstrap override annotation is checked against) and the annotations that silence a rule on
   * it, unless it is a mesh or bootstrap ConfigMap, a Service's name, labels and selector (its
   * waypoint), a kustomize patch whole, and nothing for anything else.
   */
  of(manifest: Manifest, patch = false): Manifest | undefined {
    // A kustomize patch is part of objects deployed from elsewhere (often another file): few, and
    // read with every file's workloads.
    if (manifest.kind === 'Service' && this.kinds.has('Service')) {
      // One per workload, so they grow with a folder: only what a waypoint attachment is read from.
      const { apiVersion, kind, metadata } = manifest;
      const selector = isMapping(manifest.spec) ? manifest.spec.selector : undefined;
      return {
        apiVersion,
        kind,
        metadata: {
          ...(metadata.name !== undefined ? { name: metadata.name } : {}),
          ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
          ...(metadata.labels !== undefined ? { labels: metadata.labels } : {}),
        },
        ...(selector !== undefined ? { spec: { selector } } : {}),
      };
    }
    if (patch || this.kinds.has(manifest.kind)) return manifest;
    if (manifest.kind !== 'ConfigMap') return undefined;
    const data = isMapping(manifest.data) ? manifest.data : {};
    if (CUSTOM_BOOTSTRAP_KEY in data || 'mesh' in data) return manifest;
    const { apiVersion, kind, metadata } = manifest;
    const ignored = Object.entries(metadata.annotations ?? {}).filter(([key]) => key.startsWith(IGNORE_CHECK_PREFIX));
    const names = {
      ...(metadata.name !== undefined ? { name: metadata.name } : {}),
      ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
      ...(ignored.length > 0 ? { annotations: Object.fromEntries(ignored) } : {}),
    };
    return { apiVersion, kind, metadata: names, data: Object.fromEntries(Object.keys(data).map((key) => [key, ''])) };
  }

  /**
   * Whether a file's text may hold an object {@link MeshContext.of} keeps: a fast test that spares
   * parsing the other files twice. It can miss an unusual spelling (an alias for the kind, an
   * escaped character); the lint notices when it reads the object and starts over without the test.
   */
  mayHold(text: string): boolean {
    return this.text.test(text);
  }
}
