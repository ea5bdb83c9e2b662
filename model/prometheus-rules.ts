import { parseDocument } from 'yaml';
import { isMapping, listOf } from '../core/json-values';
import type { Manifest, RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';

/** A Prometheus rule as an output holds it: in a PrometheusRule, or in a rule file of a ConfigMap. */
export interface RenderedRule {
  /** Where it is, e.g. `PrometheusRule monitoring/istio-alert-rules` or `ConfigMap prometheus/prom istio-alert-rules.yml`. */
  readonly source: string;
  readonly group: string;
  /** The alert's or the recorded series' name. */
  readonly name: string;
  readonly kind: 'alert' | 'record';
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** `kind namespace/name`, as rules name where they are. */
function describeObject(manifest: Manifest): string {
  const { namespace, name } = manifest.metadata;
  return `${manifest.kind} ${namespace ? `${namespace}/` : ''}${name ?? ''}`;
}

function strings(value: unknown): Record<string, string> {
  return isMapping(value)
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};
}

function rulesOfGroups(groups: unknown, source: string): RenderedRule[] {
  return listOf(groups).flatMap((g) => {
    if (!isMapping(g)) return [];
    const group = String(g.name ?? '');
    return listOf(g.rules).flatMap((r): RenderedRule[] => {
      if (!isMapping(r)) return [];
      const alert = typeof r.alert === 'string' ? r.alert : undefined;
      const record = typeof r.record === 'string' ? r.record : undefined;
      const name = alert ?? record;
      if (name === undefined) return [];
      return [
        {
          source,
          group,
          name,
          kind: alert !== undefined ? 'alert' : 'record',
          expr: String(r.expr ?? ''),
          ...(typeof r.for === 'string' ? { for: r.for } : {}),
          labels: strings(r.labels),
          annotations: strings(r.annotations),
        },
      ];
    });
  });
}

/**
 * Every rule of the objects: the groups of each PrometheusRule, and of each ConfigMap key that
 * holds a Prometheus rule file (a YAML document with `groups:`, which a plain Prometheus reads
 * through `rule_files`). In object order, then group and rule order.
 */
export const prometheusRules: (objects: readonly RenderedObject[]) => readonly RenderedRule[] = perObjectSet(
  (objects) =>
    objects.flatMap(({ manifest }) => {
      const spec = (manifest as { spec?: unknown }).spec;
      if (manifest.kind === 'PrometheusRule' && isMapping(spec)) {
        return rulesOfGroups(spec.groups, describeObject(manifest));
      }
      if (manifest.kind !== 'ConfigMap') return [];
      const data = (manifest as { data?: unknown }).data;
      if (!isMapping(data)) return [];
      return Object.entries(data).flatMap(([key, text]) => {
        if (typeof text !== 'string' || !/\.ya?ml$/.test(key) || !/^groups:/m.test(text)) return [];
        const file = parseDocument(text).toJS() as unknown;
        return isMapping(file) ? rulesOfGroups(file.groups, `${describeObject(manifest)} ${key}`) : [];
      });
    }),
);
