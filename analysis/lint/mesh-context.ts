import { CUSTOM_BOOTSTRAP_KEY, ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { isMapping } from '../../core/json-values';
import type { Manifest } from '../../model/objects';

/**
 * The objects a rule of scope `mesh` reads besides the one it reports on, and so the objects a
 * lint that checks one file at a time keeps from every file: the mesh config (IstioOperator,
 * istiod Helm values, a Sail `Istio`, the `istio` ConfigMap), Telemetry (which names providers),
 * WasmPlugins and EnvoyFilters (which generate attributes), Kiali (whose labels removed tags may
 * take), and ConfigMaps (which pods name as bootstrap overrides). Workloads, which are what grows
 * with a folder, are not among them.
 */
const MESH_KINDS: ReadonlySet<string> = new Set([
  'Kiali',
  'IstioOperator',
  ISTIOD_VALUES_KIND,
  'Istio',
  'Telemetry',
  'WasmPlugin',
  'EnvoyFilter',
]);

/**
 * What a lint that checks one file at a time keeps of an object for the other files' checks: the
 * object itself when it is mesh-wide, a ConfigMap's name, namespace and keys (all that a pod's
 * bootstrap override annotation is checked against) unless it is a mesh or bootstrap ConfigMap,
 * and nothing for anything else.
 */
export function meshContextOf(manifest: Manifest): Manifest | undefined {
  if (MESH_KINDS.has(manifest.kind)) return manifest;
  if (manifest.kind !== 'ConfigMap') return undefined;
  const data = isMapping(manifest.data) ? manifest.data : {};
  if (CUSTOM_BOOTSTRAP_KEY in data || 'mesh' in data) return manifest;
  const { apiVersion, kind, metadata } = manifest;
  const names = {
    ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
  };
  return { apiVersion, kind, metadata: names, data: Object.fromEntries(Object.keys(data).map((key) => [key, ''])) };
}

// The kinds above (and ConfigMap, and a List that may hold any) as a YAML or JSON file spells
// them, and the istiod values' `meshConfig` key, since those values have no kind.
const MESH_TEXT = new RegExp(
  `kind["']?\\s*:\\s*["']?(${[...MESH_KINDS, 'ConfigMap', 'List'].join('|')})\\b|meshConfig`,
);

/**
 * Whether a file's text may hold an object {@link meshContextOf} keeps: a fast test that spares
 * parsing the other files twice. It can miss an unusual spelling (an alias for the kind, an
 * escaped character); the lint notices when it reads the object and starts over without the test.
 */
export function mayHoldMeshContext(text: string): boolean {
  return MESH_TEXT.test(text);
}
