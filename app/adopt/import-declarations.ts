import { type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { ImportSource } from './config-draft';
import { attributeGenConfigs } from './import-attribute-gen';
import { type ImportContext, targetLabel } from './import-context';
import { accessLogOf, tracerOf, Untranslatable } from './import-pieces';

/**
 * Declarations more than one reader of the input makes: a tracer or an access log from a provider
 * a mesh config defines, and dimension values that name generated attributes.
 */

/** Declares the tracer a provider name stands for, at `target`; listed when the provider cannot be declared. */
export function addTracer(
  ctx: ImportContext,
  name: string,
  target: unknown,
  from: ImportSource,
  affected: readonly string[] | undefined,
): void {
  const tracer = tracerOf(name, ctx.providers);
  if (tracer instanceof Untranslatable) {
    ctx.draft.skip(from, tracer.why, ['tracer'], affected);
    return;
  }
  // One declaration per provider and target; a provider named at several targets is declared for each.
  ctx.draft.add(tracer.section, `${name}-${targetLabel(target)}`, { target, ...tracer.value }, from);
}

/** Declares the access log a provider name stands for, with `common` (target, filter); listed when it cannot be declared. */
export function addAccessLog(
  ctx: ImportContext,
  name: string,
  common: JsonMapping,
  from: ImportSource,
  affected?: readonly string[],
): void {
  const log = accessLogOf(name, ctx.providers);
  if (log instanceof Untranslatable) {
    ctx.draft.skip(from, log.why, ['access log'], affected);
    return;
  }
  ctx.draft.add('accessLogging', `${name}-${targetLabel(common.target ?? 'mesh')}`, { ...common, ...log }, from);
}

/** Dimension values: a generated attribute's name becomes `{attribute}`, anything else is CEL. */
export function dimensionValues(ctx: ImportContext, dimensions: JsonMapping): Record<string, unknown> {
  const attributes = generatedAttributes(ctx);
  return Object.fromEntries(
    Object.entries(dimensions).map(([name, value]) => [
      name,
      typeof value === 'string' && attributes.has(value) ? { attribute: value } : value,
    ]),
  );
}

/** The attributes the input's attribute generators produce. */
export function generatedAttributes(ctx: ImportContext): Set<string> {
  const names = new Set<string>();
  for (const { config } of attributeGenConfigs(ctx)) {
    for (const attribute of listOf(config.attributes)) {
      const name = mappingAt(attribute).output_attribute;
      if (typeof name === 'string') names.add(name);
    }
  }
  return names;
}
