import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import type { RenderedObject } from '../../model/objects';
import { isEnvoyFilter, isWasmPlugin } from '../../model/telemetry-objects';
import type { ImportContext } from './import-context';

/** The attributegen configurations of EnvoyFilters (1.13-1.17) and WasmPlugins (1.18+), parsed. */
export function attributeGenConfigs(ctx: ImportContext): {
  object: RenderedObject;
  config: JsonMapping;
  proxies: string[];
  field: FieldPath;
}[] {
  const found: { object: RenderedObject; config: JsonMapping; proxies: string[]; field: FieldPath }[] = [];
  for (const object of ctx.objects) {
    const { manifest } = object;
    if (isEnvoyFilter(manifest)) {
      const patches = listOf(mappingAt(manifest, 'spec').configPatches);
      const proxies = new Set<string>();
      let config: JsonMapping | undefined;
      let field: FieldPath = [];
      patches.forEach((patch, i) => {
        const value = mappingAt(patch, 'patch', 'value');
        if (value.name !== 'istio.attributegen') return;
        const context = mappingAt(patch, 'match').context;
        proxies.add(
          context === 'SIDECAR_INBOUND' ? 'inboundSidecar' : context === 'GATEWAY' ? 'gateway' : 'outboundSidecar',
        );
        const text = mappingAt(value, 'typed_config', 'value', 'config', 'configuration').value;
        field = ['spec', 'configPatches', i];
        try {
          const parsed: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
          if (isMapping(parsed)) config = parsed;
        } catch {
          config = undefined;
        }
      });
      if (config) found.push({ object, config, proxies: [...proxies].sort(), field });
    } else if (isWasmPlugin(manifest)) {
      const spec = mappingAt(manifest, 'spec');
      const config = mappingAt(spec, 'pluginConfig');
      if (String(spec.url ?? '').includes('attributegen') && listOf(config.attributes).length > 0) {
        found.push({ object, config, proxies: [], field: ['spec', 'pluginConfig'] });
      }
    }
  }
  return found;
}

/** Attribute generators, from attributegen EnvoyFilters (1.13-1.17) and WasmPlugins (1.18+); the objects are replaced. */
export function importAttributeGenerators(ctx: ImportContext): void {
  const { draft } = ctx;
  for (const { object, config, proxies, field } of attributeGenConfigs(ctx)) {
    const attributes: Record<string, { value: string; condition: string }[]> = {};
    for (const attribute of listOf(config.attributes)) {
      const a = mappingAt(attribute);
      if (typeof a.output_attribute !== 'string') continue;
      attributes[a.output_attribute] = listOf(a.match).map((m) => ({
        value: String(mappingAt(m).value),
        condition: String(mappingAt(m).condition),
      }));
    }
    const spec = mappingAt(object.manifest, 'spec');
    const selector = mappingAt(
      spec,
      isWasmPlugin(object.manifest) ? 'selector' : 'workloadSelector',
      isWasmPlugin(object.manifest) ? 'matchLabels' : 'labels',
    );
    const workload = ctx.workloads.find(
      (w) =>
        w.template.namespace === object.manifest.metadata.namespace &&
        Object.entries(selector).every(([k, v]) => w.template.labels[k] === v),
    );
    if (Object.keys(selector).length > 0 && !workload) {
      draft.skip(draft.source(object, field), 'selects no workload of the input', []);
      continue;
    }
    draft.replaced.add(object.path);
    const all = proxies.length === 0 || proxies.length === 3;
    draft.add(
      'attributeGenerators',
      object.manifest.metadata.name ?? 'attribute-gen',
      {
        name: object.manifest.metadata.name,
        namespace: object.manifest.metadata.namespace,
        ...(all ? {} : { proxies }),
        ...(Object.keys(selector).length > 0 && workload ? { workload: workload.key } : {}),
        attributes,
        ...(typeof spec.url === 'string' && isWasmPlugin(object.manifest) ? { module: spec.url } : {}),
        ...(typeof spec.sha256 === 'string' ? { sha256: spec.sha256 } : {}),
        ...(typeof spec.phase === 'string' ? { phase: spec.phase } : {}),
      },
      draft.source(object, field),
    );
  }
}
