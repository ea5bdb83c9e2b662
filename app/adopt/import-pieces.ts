import { type StandardMetric, TELEMETRY_METRIC } from '../../core/istio/standard-metrics';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';

/**
 * Readers of one piece each, from the shape Istio keeps it in to the shape `observability.yaml`
 * declares it in. Undefined where the input holds something the declaration cannot say; the
 * caller lists it as not expressed, with the reason these return.
 */

/** Why a value was not translated, for the closing list of `import`. */
export class Untranslatable {
  constructor(readonly why: string) {}
}

/** `requests_total` of the Telemetry API's `REQUEST_COUNT`. */
export function standardMetricOf(telemetryMetric: string): string | undefined {
  return Object.entries(TELEMETRY_METRIC).find(([, name]) => name === telemetryMetric)?.[0] as
    | StandardMetric
    | undefined;
}

/** The proxy kinds of a Telemetry metrics `mode`: CLIENT is the outbound sidecar and gateways, SERVER the inbound sidecar. */
export function proxiesOfMode(mode: unknown): readonly string[] | undefined {
  if (mode === 'CLIENT') return ['outboundSidecar', 'gateway'];
  if (mode === 'SERVER') return ['inboundSidecar'];
  return undefined; // CLIENT_AND_SERVER, or unset: every proxy (the declaration's default)
}

/**
 * ProxyConfig `tracing.customTags` or Telemetry `tracing[].customTags` as declared tags:
 * `{literal: {value}}` → `{literal}`, `{environment: {name, defaultValue}}` → `{environment, defaultValue}`,
 * `{header: {name, defaultValue}}` → `{header, defaultValue}`, `{formatter: {value}}` → `{formatter}`.
 */
export function customTagsOf(tags: JsonMapping): Record<string, Record<string, string>> | Untranslatable {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, tag] of Object.entries(tags)) {
    const entry = mappingAt(tag);
    const literal = mappingAt(entry, 'literal');
    const environment = mappingAt(entry, 'environment');
    const header = mappingAt(entry, 'header');
    const formatter = mappingAt(entry, 'formatter');
    const withDefault = (v: JsonMapping): Record<string, string> =>
      typeof v.defaultValue === 'string' ? { defaultValue: v.defaultValue } : {};
    if (typeof literal.value === 'string') out[name] = { literal: literal.value };
    else if (typeof environment.name === 'string')
      out[name] = { environment: environment.name, ...withDefault(environment) };
    else if (typeof header.name === 'string') out[name] = { header: header.name, ...withDefault(header) };
    else if (typeof formatter.value === 'string') out[name] = { formatter: formatter.value };
    else
      return new Untranslatable(
        `custom tag ${JSON.stringify(name)} is none of literal, environment, header, formatter`,
      );
  }
  return out;
}

/** A ProxyConfig `proxyStatsMatcher` as a declared stats inclusion (its three lists). */
export function statsMatcherOf(matcher: JsonMapping): Record<string, string[]> | Untranslatable {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(matcher)) {
    if (!['inclusionPrefixes', 'inclusionSuffixes', 'inclusionRegexps'].includes(key)) {
      return new Untranslatable(
        `proxyStatsMatcher.${key} has no declaration (inclusionPrefixes, inclusionSuffixes, inclusionRegexps only)`,
      );
    }
    const list = listOf(value).filter((v): v is string => typeof v === 'string');
    if (list.length > 0) out[key] = list;
  }
  return out;
}

/** `service:port` of an extension provider's `service` and `port`. */
export function providerAddress(provider: JsonMapping): string | undefined {
  const { service, port } = provider;
  if (typeof service !== 'string' || (typeof port !== 'number' && typeof port !== 'string')) return undefined;
  return `${service}:${port}`;
}

/** Which declaration a named tracing provider of the mesh config becomes, with its fields. */
export function tracerOf(
  name: string,
  providers: readonly JsonMapping[],
): { readonly section: 'zipkinTracers' | 'openTelemetryTracers'; readonly value: JsonMapping } | Untranslatable {
  const provider = providers.find((p) => p.name === name);
  if (!provider)
    return new Untranslatable(
      `names the provider ${JSON.stringify(name)}, which no mesh config of the input defines (meshConfig.extensionProviders)`,
    );
  if (isMapping(provider.zipkin)) {
    const address = providerAddress(provider.zipkin);
    if (!address) return new Untranslatable(`zipkin provider ${JSON.stringify(name)} has no service and port`);
    const path = provider.zipkin.path;
    return {
      section: 'zipkinTracers',
      value: { provider: name, address, ...(typeof path === 'string' ? { path } : {}) },
    };
  }
  if (isMapping(provider.opentelemetry)) {
    const address = providerAddress(provider.opentelemetry);
    if (!address) return new Untranslatable(`opentelemetry provider ${JSON.stringify(name)} has no service and port`);
    const path = mappingAt(provider.opentelemetry, 'http').path;
    return {
      section: 'openTelemetryTracers',
      value: { provider: name, address, ...(typeof path === 'string' ? { httpPath: path } : {}) },
    };
  }
  const kind = Object.keys(provider).find((k) => k !== 'name') ?? 'unknown';
  return new Untranslatable(
    `provider ${JSON.stringify(name)} is of kind ${kind}; the declaration has zipkin and opentelemetry tracers`,
  );
}

/** Which declaration a named access log provider becomes (`file` or `openTelemetry`, or the built-in envoy one). */
export function accessLogOf(name: string, providers: readonly JsonMapping[]): JsonMapping | Untranslatable {
  if (name === 'envoy') return {};
  const provider = providers.find((p) => p.name === name);
  if (!provider)
    return new Untranslatable(`names the provider ${JSON.stringify(name)}, which no mesh config of the input defines`);
  const format = (log: JsonMapping) => {
    const text = log.logFormat;
    const fmt = mappingAt(text);
    if (typeof fmt.text === 'string') return { format: { text: fmt.text } };
    if (isMapping(fmt.labels)) return { format: { json: fmt.labels } };
    return {};
  };
  if (isMapping(provider.envoyFileAccessLog)) {
    const log = provider.envoyFileAccessLog;
    return { file: { name, ...(typeof log.path === 'string' ? { path: log.path } : {}), ...format(log) } };
  }
  if (isMapping(provider.envoyOtelAls)) {
    const log = provider.envoyOtelAls;
    const address = providerAddress(log);
    if (!address) return new Untranslatable(`envoyOtelAls provider ${JSON.stringify(name)} has no service and port`);
    return {
      openTelemetry: {
        name,
        address,
        ...(typeof log.logName === 'string' ? { logName: log.logName } : {}),
        ...format(log),
      },
    };
  }
  const kind = Object.keys(provider).find((k) => k !== 'name') ?? 'unknown';
  return new Untranslatable(
    `provider ${JSON.stringify(name)} is of kind ${kind}; the declaration has envoyFileAccessLog and envoyOtelAls logs`,
  );
}
