import { CustomTag, CustomTraceTags } from '../../../constructs/tracing/custom-trace-tags';
import { OpenTelemetryTracer } from '../../../constructs/tracing/opentelemetry-tracer';
import { PilotTraceSampling } from '../../../constructs/tracing/pilot-trace-sampling';
import { TraceSampling } from '../../../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../../../constructs/tracing/zipkin-tracer';
import { formatValue, ObservabilityConfigError, problem } from '../../../core/errors';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import type { FieldPath } from '../../../core/problems/field-path';
import type { CustomTagConfigEntry } from '../../config/observability-config';
import type { StackContext } from '../stack-context';
import type { SectionBuilder } from './section-builder';

/** `pilotTraceSampling:`: istiod's default sampling (values.pilot.traceSampling). */
export const pilotTraceSamplingSection: SectionBuilder = {
  section: 'pilotTraceSampling',
  build(context, mesh) {
    const percentage = context.config.pilotTraceSampling;
    if (percentage === undefined) return;
    const { chart } = context;
    context.piece(
      ['pilotTraceSampling'],
      chart,
      ['pilot-sampling'],
      () => {
        new PilotTraceSampling(chart, 'pilot-sampling', { mesh, percentage });
      },
      { percentage: 'pilotTraceSampling' },
    );
  },
};

/** `traceSampling:`: sampling for the mesh, a namespace or a workload. */
export const traceSamplingSection: SectionBuilder = {
  section: 'traceSampling',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, s] of sortedEntries(context.config.traceSampling ?? {})) {
      context.piece(['traceSampling', id], chart, [id], () => {
        new TraceSampling(chart, id, { mesh, target: context.target(s.target, ['target']), percentage: s.percentage });
      });
    }
  },
};

/** `zipkinTracers:`: where spans go, by Zipkin; the generated Jaeger when no address is given. */
export const zipkinTracersSection: SectionBuilder = {
  section: 'zipkinTracers',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, z] of sortedEntries(context.config.zipkinTracers ?? {})) {
      context.piece(['zipkinTracers', id], chart, [id], () => {
        new ZipkinTracer(chart, id, {
          mesh,
          target: context.target(z.target, ['target']),
          address: context.tracerAddress(z.address, 'zipkin', ['address']),
          provider: z.provider,
          path: z.path,
        });
      });
    }
  },
};

/** `openTelemetryTracers:`: where spans go, by OTLP; the generated Jaeger when no address is given. */
export const openTelemetryTracersSection: SectionBuilder = {
  section: 'openTelemetryTracers',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, o] of sortedEntries(context.config.openTelemetryTracers ?? {})) {
      context.piece(['openTelemetryTracers', id], chart, [id], () => {
        new OpenTelemetryTracer(chart, id, {
          mesh,
          target: context.target(o.target, ['target']),
          address: context.tracerAddress(o.address, 'otlp', ['address']),
          provider: o.provider,
          httpPath: o.httpPath,
        });
      });
    }
  },
};

/** `customTraceTags:`: tags added to every span of the target. */
export const customTraceTagsSection: SectionBuilder = {
  section: 'customTraceTags',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, t] of sortedEntries(context.config.customTraceTags ?? {})) {
      context.piece(['customTraceTags', id], chart, [id], () => {
        const tags: Record<string, CustomTag> = {};
        for (const [name, tag] of sortedEntries(t.tags)) tags[name] = customTag(context, tag, ['tags', name]);
        new CustomTraceTags(chart, id, { mesh, target: context.target(t.target, ['target']), tags });
      });
    }
  },
};

/** A `tags:` entry: exactly one source, and a default only where the source may be missing. */
function customTag(context: StackContext, tag: CustomTagConfigEntry, field: FieldPath): CustomTag {
  const kinds = (['literal', 'environment', 'header', 'formatter'] as const).filter((k) => tag[k] !== undefined);
  const only = kinds.length === 1 ? kinds[0] : undefined;
  if (only === 'literal' && tag.defaultValue === undefined) return CustomTag.literal(tag.literal ?? '');
  if (only === 'formatter' && tag.defaultValue === undefined) return CustomTag.formatter(tag.formatter ?? '');
  if (only === 'environment') return CustomTag.environment(tag.environment ?? '', tag.defaultValue);
  if (only === 'header') return CustomTag.header(tag.header ?? '', tag.defaultValue);
  throw new ObservabilityConfigError(context.chart, [
    problem(
      field,
      tag,
      only === 'literal' || only === 'formatter'
        ? `a ${only} without defaultValue (it always has a value)`
        : `exactly one of literal, environment, header, formatter, not ${kinds.length === 0 ? 'none' : formatValue(kinds)}`,
    ),
  ]);
}
