import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { appliesToBothModes } from '../../model/telemetry-objects';
import type { TelemetryPolicy } from '../../model/telemetry-precedence';
import { describeObject } from './config-draft';
import { targetRefTargets } from './import-ambient';
import {
  affectedBy,
  defaultAccessLogProviders,
  type ImportContext,
  type MetricsMechanism,
  suffixed,
  workloadsOf,
} from './import-context';
import { addAccessLog, addTracer, dimensionValues } from './import-declarations';
import { customTagsOf, proxiesOfMode, standardMetricOf, Untranslatable } from './import-pieces';

/**
 * Every Telemetry, at the target with its reach: the root namespace's applied one as `mesh`, a
 * namespace's as `{namespace}`, a selector's as each declared workload it applies to, a targetRefs'
 * as the waypoint or workload it binds. The ones istiod ignores are conflicts, not imported.
 */
export function importTelemetry(ctx: ImportContext, metrics: MetricsMechanism): void {
  const { draft } = ctx;
  for (const policy of ctx.telemetry.policies) {
    const { object } = policy;
    const from = draft.source(object);
    let targets: { target: unknown; label: string }[];
    if (policy.scope === 'root' || policy.scope === 'namespace') {
      const first = ctx.telemetry.namespaceWideIn(policy.namespace)[0];
      if (first !== policy) {
        draft.conflict(
          from,
          `istiod applies only the oldest namespace-wide Telemetry of ${policy.namespace}, ${describeObject(first?.object ?? object)}, and ignores this one, so it is not imported`,
        );
        draft.replaced.add(object.path);
        continue;
      }
      targets = [{ target: policy.scope === 'root' ? 'mesh' : { namespace: policy.namespace }, label: policy.name }];
    } else if (policy.targetRefs.length > 0 && !policy.selector) {
      // A waypoint's Gateway, or the Service of an ambient workload (Istio 1.24 and later).
      const bound = targetRefTargets(ctx, policy);
      if (!bound) {
        draft.skip(
          from,
          "a Telemetry bound by targetRefs is imported for a waypoint or an ambient workload's Service the input holds; this one names neither; keep applying it",
          ['dimensions', 'sampling', 'custom tags', 'tracer', 'access log'],
        );
        continue;
      }
      targets = bound;
    } else {
      const selected = workloadsOf(ctx, policy);
      const ignored = ctx.workloads.filter((w) => ctx.telemetry.appliedTo(w.template).ignored.includes(policy));
      for (const w of ignored) {
        draft.conflict(
          from,
          `selects ${w.reviewName}, where this release applies only the oldest matching Telemetry; not imported for it`,
        );
      }
      if (selected.length === 0) {
        draft.skip(
          from,
          'selects no workload of the input; declare the workload (workloads.<name>) and import again, or keep applying it',
          [],
        );
        continue;
      }
      // One workload: the Telemetry's own name; several: one declaration each, named for both.
      targets = selected.map((w) => ({
        target: { workload: w.key },
        label: selected.length === 1 ? policy.name : `${policy.name}-${w.key}`,
      }));
    }
    draft.replaced.add(object.path);
    for (const { target, label } of targets) importTelemetrySpec(ctx, policy, target, label, metrics);
  }
}

/** One Telemetry's metrics overrides, tracing and access logs, declared for `target`. */
export function importTelemetrySpec(
  ctx: ImportContext,
  policy: TelemetryPolicy,
  target: unknown,
  label: string,
  metrics: MetricsMechanism,
): void {
  const { draft } = ctx;
  const { object, spec } = policy;
  const affected = affectedBy(ctx, target);
  listOf(spec.metrics).forEach((entry, i) => {
    const at = ['spec', 'metrics', i];
    const providers = listOf(mappingAt(entry).providers).map((p) => mappingAt(p).name);
    if (metrics !== 'telemetry-api') {
      draft.skip(
        draft.source(object, at),
        `the declaration customizes metrics with the Telemetry API from Istio 1.18, where istiod builds the stats filter (istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml); at ${ctx.options.istioVersion} the install's stats-filter EnvoyFilters carry the metrics`,
        ['dimensions'],
        affected,
      );
      return;
    }
    if (providers.some((p) => p !== 'prometheus')) {
      draft.skip(
        draft.source(object, [...at, 'providers']),
        `names metrics providers ${JSON.stringify(providers)}; the declaration customizes the prometheus provider only`,
        ['dimensions'],
        affected,
      );
    }
    listOf(mappingAt(entry).overrides).forEach((override, j) => {
      if (!isMapping(override)) return;
      const where = [...at, 'overrides', j];
      const match = mappingAt(override, 'match');
      if (override.disabled === true) {
        draft.skip(
          draft.source(object, [...where, 'disabled']),
          'turning a metric off has no declaration',
          ['dimensions'],
          affected,
        );
        return;
      }
      if (match.customMetric !== undefined) {
        draft.skip(
          draft.source(object, [...where, 'match', 'customMetric']),
          'a tag override of a custom metric has no declaration (metricDefinitions declare their own labels)',
          ['dimensions'],
          affected,
        );
        return;
      }
      const metric = typeof match.metric === 'string' ? standardMetricOf(match.metric) : undefined;
      if (!metric) {
        draft.skip(
          draft.source(object, [...where, 'match']),
          `matches ${JSON.stringify(match.metric ?? 'ALL_METRICS')}; the declaration names one standard metric per entry`,
          ['dimensions'],
          affected,
        );
        return;
      }
      const dimensions: Record<string, unknown> = {};
      const removed: string[] = [];
      for (const [tag, value] of Object.entries(mappingAt(override, 'tagOverrides'))) {
        const op = mappingAt(value);
        if (op.operation === 'REMOVE') removed.push(tag);
        else if (typeof op.value === 'string') dimensions[tag] = op.value;
      }
      const proxies = proxiesOfMode(match.mode);
      draft.add(
        'metricDimensions',
        suffixed(label, metric),
        {
          metric,
          ...(proxies ? { proxies } : {}),
          ...(Object.keys(dimensions).length > 0 ? { dimensions: dimensionValues(ctx, dimensions) } : {}),
          ...(removed.length > 0 ? { tagsToRemove: removed } : {}),
          ...(target !== 'mesh' ? { target } : {}),
        },
        draft.source(object, where),
      );
    });
  });
  if (listOf(spec.tracing).length > 0) importTelemetryTracing(ctx, policy, target, label, affected);
  // An entry without providers uses the providers of the one before it, at this level or a less
  // specific one, else the mesh's default ones; its filter is not applied, only the filter of an
  // entry that names the provider (istio/istio@1.26.8:pilot/pkg/model/telemetry.go mergeLogs).
  let previous: readonly string[] = inheritedLogProviders(ctx, policy);
  listOf(spec.accessLogging).forEach((entry, i) => {
    if (!isMapping(entry)) return;
    const where = ['spec', 'accessLogging', i];
    if (entry.match !== undefined) {
      draft.skip(
        draft.source(object, [...where, 'match']),
        'an access log for client or server traffic only has no declaration',
        ['access log'],
        affected,
      );
      return;
    }
    const names = listOf(entry.providers)
      .map((p) => mappingAt(p).name)
      .filter((n): n is string => typeof n === 'string');
    const filter = names.length > 0 ? mappingAt(entry, 'filter').expression : undefined;
    if (names.length === 0 && mappingAt(entry, 'filter').expression !== undefined) {
      draft.skip(
        draft.source(object, [...where, 'filter']),
        'has no effect: istiod applies the filter of an entry that names its providers only',
        [],
      );
    }
    const common = {
      target,
      ...(typeof filter === 'string' ? { filter } : {}),
      ...(entry.disabled === true ? { disabled: true } : {}),
    };
    if (entry.disabled === true && names.length === 0) {
      draft.add('accessLogging', suffixed(label, 'access-log-off'), common, draft.source(object, where));
      return;
    }
    const used = names.length > 0 ? names : previous;
    previous = used;
    if (used.length === 0) {
      draft.skip(
        draft.source(object, where),
        'names no provider, and the mesh config names no default access log provider (defaultProviders.accessLogging), so it logs nothing',
        [],
      );
      return;
    }
    for (const name of used) addAccessLog(ctx, name, common, draft.source(object, where), affected);
  });
}

/**
 * A Telemetry's tracing entries, which istiod applies in order, a later one's field winning
 * (istio/istio@1.26.8:pilot/pkg/model/telemetry.go Tracing): the last sampling, custom tags and
 * providers set, of which istiod uses the first provider only. An entry for client or server
 * traffic only (`match.mode`) has no declaration and is listed, not widened to both.
 */
export function importTelemetryTracing(
  ctx: ImportContext,
  policy: TelemetryPolicy,
  target: unknown,
  label: string,
  affected: readonly string[] | undefined,
): void {
  const { draft } = ctx;
  const { object } = policy;
  let sampling: { value: unknown; at: FieldPath } | undefined;
  let tags: { value: JsonMapping; at: FieldPath } | undefined;
  let providers: { names: string[]; at: FieldPath } | undefined;
  listOf(policy.spec.tracing).forEach((entry, i) => {
    if (!isMapping(entry)) return;
    const at: FieldPath = ['spec', 'tracing', i];
    if (!appliesToBothModes(entry)) {
      draft.skip(
        draft.source(object, [...at, 'match']),
        'a tracing entry for client or server traffic only has no declaration (its settings would reach both)',
        ['sampling', 'custom tags', 'tracer'],
        affected,
      );
      return;
    }
    if (entry.randomSamplingPercentage !== undefined) {
      sampling = { value: entry.randomSamplingPercentage, at: [...at, 'randomSamplingPercentage'] };
    }
    if (isMapping(entry.customTags) && Object.keys(entry.customTags).length > 0) {
      tags = { value: entry.customTags, at: [...at, 'customTags'] };
    }
    const names = listOf(entry.providers)
      .map((p) => mappingAt(p).name)
      .filter((n): n is string => typeof n === 'string');
    if (names.length > 0) providers = { names, at: [...at, 'providers'] };
    for (const key of ['disableSpanReporting', 'useRequestIdForTraceSampling', 'enableIstioTags']) {
      if (entry[key] !== undefined && !(key === 'disableSpanReporting' && entry[key] === false)) {
        draft.skip(
          draft.source(object, [...at, key]),
          `Telemetry tracing ${key} has no declaration`,
          ['tracer'],
          affected,
        );
      }
    }
  });
  if (typeof sampling?.value === 'number') {
    draft.add(
      'traceSampling',
      suffixed(label, 'sampling'),
      { target, percentage: sampling.value },
      draft.source(object, sampling.at),
    );
  }
  if (tags) {
    const declared = customTagsOf(tags.value);
    if (declared instanceof Untranslatable)
      draft.skip(draft.source(object, tags.at), declared.why, ['custom tags'], affected);
    else
      draft.add(
        'customTraceTags',
        suffixed(label, 'trace-tags'),
        { target, tags: declared },
        draft.source(object, tags.at),
      );
  }
  if (providers) {
    const [first, ...rest] = providers.names;
    if (first) addTracer(ctx, first, target, draft.source(object, [...providers.at, 0]), affected);
    if (rest.length > 0) {
      draft.skip(
        draft.source(object, [...providers.at, 1]),
        `istiod sends spans to the first provider only (${first}); ${rest.join(', ')} ${rest.length > 1 ? 'are' : 'is'} not used`,
        [],
      );
    }
  }
}

/**
 * The access log providers an entry without providers of `policy` inherits: the mesh's defaults,
 * then those of the less specific levels' entries, in istiod's order (root, then namespace).
 */
function inheritedLogProviders(ctx: ImportContext, policy: TelemetryPolicy): readonly string[] {
  let providers: readonly string[] = defaultAccessLogProviders(ctx);
  const root = ctx.telemetry.namespaceWideIn(ctx.rootNamespace)[0];
  const own = ctx.telemetry.namespaceWideIn(policy.namespace)[0];
  const before = [
    ...(root && root !== policy ? [root] : []),
    ...(own && own !== policy && own !== root && policy.scope === 'workload' ? [own] : []),
  ];
  for (const level of before) {
    for (const entry of listOf(level.spec.accessLogging)) {
      const names = listOf(mappingAt(entry).providers)
        .map((p) => mappingAt(p).name)
        .filter((n): n is string => typeof n === 'string');
      if (names.length > 0) providers = names;
    }
  }
  return providers;
}
