import { isCelDeclared } from '../../core/contracts/construct-sources';
import { listOf, mappingAt } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { DEFAULT_ROOT_NAMESPACE, MESH_CONFIG_KINDS, meshConfigs, rootNamespaceOf } from '../../model/install-inputs';
import { isTelemetry, namesProvider, namespacesNamingProvider } from '../../model/telemetry-objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * A Telemetry tracing entry without `providers` uses the provider of a broader Telemetry (the
 * root namespace's, or the namespace's without a selector) or `meshConfig.defaultProviders.tracing`;
 * with none of them istiod turns tracing off for those proxies, silently
 * (istio/istio@1.30.3:pilot/pkg/model/telemetry.go Tracing: "If no provider is configured ...
 * disable"; istio/istio#38920).
 */
export const tracingProviderRule: AppRule = {
  id: 'tracing-provider',
  summary:
    "A hand-written Telemetry's tracing that names no provider needs one from a broader Telemetry (root namespace, or its namespace without a selector) or from meshConfig.defaultProviders.tracing: otherwise istiod disables tracing for its proxies, silently (istio/istio#38920). An error when the files are applied together (--complete), a warning for files linted alone.",
  remediation:
    'Name a tracing provider in this Telemetry, in a broader one, or in meshConfig.defaultProviders.tracing.',
  kinds: ['Telemetry', ...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#tracing-provider',
  check: (context) =>
    unprovidedEntries(context, {
      section: 'tracing',
      // Entries that only turn span reporting off need no provider.
      needsNone: (entry) => mappingAt(entry).disableSpanReporting === true,
      what: (complete) =>
        `names no provider, and ${complete ? 'nothing applied with it supplies one' : 'traces only if the mesh supplies one'}: a Telemetry in the root namespace or this namespace without a selector, or meshConfig.defaultProviders.tracing; without one istiod turns tracing off for these proxies (istio/istio#38920)`,
      hint: 'name the provider here (providers: [{ name: zipkin }]) or in meshConfig.defaultProviders.tracing',
    }),
};

/**
 * The same for access logging: an entry without `providers` uses a broader Telemetry's or
 * `meshConfig.defaultProviders.accessLogging`, which no release sets by default, so without one
 * the proxies write no access log (istio/api@1.30.3:telemetry/v1/telemetry.proto AccessLogging.providers).
 */
export const accessLogProviderRule: AppRule = {
  id: 'access-log-provider',
  summary:
    "A hand-written Telemetry's accessLogging that names no provider needs one from a broader Telemetry or from meshConfig.defaultProviders.accessLogging (unset by default): otherwise its proxies write no access log, silently. An error with --complete, a warning for files linted alone.",
  remediation:
    "Name an access log provider (envoy, Istio's file log) in this Telemetry, in a broader one, or in meshConfig.defaultProviders.accessLogging.",
  kinds: ['Telemetry', ...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#access-log-provider',
  check: (context) =>
    unprovidedEntries(context, {
      section: 'accessLogging',
      needsNone: (entry) => mappingAt(entry).disabled === true,
      what: (complete) =>
        `names no provider, and ${complete ? 'nothing applied with it supplies one' : 'logs only if the mesh supplies one'}: a Telemetry in the root namespace or this namespace without a selector, or meshConfig.defaultProviders.accessLogging; without one these proxies write no access log`,
      hint: "name the provider here (providers: [{ name: envoy }], Istio's built-in file log) or in meshConfig.defaultProviders.accessLogging",
    }),
};

/** How a Telemetry section finds its provider when an entry names none. */
interface ProviderSection {
  readonly section: 'tracing' | 'accessLogging';
  /** Entries that need no provider (they only turn something off). */
  readonly needsNone: (entry: unknown) => boolean;
  readonly what: (complete: boolean) => string;
  readonly hint: string;
}

/** Hand-written Telemetry whose `section` entries name no provider and inherit none. */
function unprovidedEntries(context: ValidationContext, p: ProviderSection): RuleFinding[] {
  const sources = meshConfigs(context.objects);
  if (sources.some((s) => listOf(mappingAt(s.meshConfig, 'defaultProviders')[p.section]).length > 0)) return [];
  const roots = new Set(sources.map((s) => rootNamespaceOf(s)));
  if (roots.size === 0) roots.add(DEFAULT_ROOT_NAMESPACE);
  const naming = namespacesNamingProvider(context.objects, p.section);
  const rootNames = [...roots].some((root) => naming.has(root));
  const findings: RuleFinding[] = [];
  for (const { path, manifest, apiObject } of context.objects) {
    if (!isTelemetry(manifest)) continue;
    // The constructs name their providers, or note where they cannot (TraceSampling without a tracer).
    if (apiObject && isCelDeclared(apiObject)) continue;
    const spec = mappingAt(manifest, 'spec');
    const entries = listOf(spec[p.section]);
    if (entries.length === 0 || namesProvider(spec, p.section)) continue;
    if (entries.every(p.needsNone)) continue;
    if (rootNames || naming.has(manifest.metadata.namespace ?? '')) continue;
    findings.push({
      path,
      severity: context.complete ? 'error' : 'warning',
      ...statement(['spec', p.section], p.what(context.complete)),
      hint: p.hint,
    });
  }
  return findings;
}
