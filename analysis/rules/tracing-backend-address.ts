import { isSpanCollectorSource } from '../../core/contracts/construct-sources';
import type { FieldPath } from '../../core/problems/field-path';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshDefaultConfigs } from '../../model/install-inputs';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** A place spans are sent to, as written in an object. */
interface TracerAddress {
  readonly path: string;
  readonly field: FieldPath;
  readonly address: string;
  /** The namespace a bare host resolves in. */
  readonly namespace: string | undefined;
}

/**
 * `name.namespace:port` of a Service address (`zipkin.istio-system:9411`,
 * `zipkin.istio-system.svc.cluster.local:9411`); a bare name resolves in `namespace`.
 */
export function serviceAddressKey(address: string, namespace: string | undefined): string | undefined {
  const match = /^([^:]+):(\d+)$/.exec(address);
  if (!match) return undefined;
  const [name, ns] = (match[1] as string).split('.');
  const resolvedNamespace = ns ?? namespace;
  return resolvedNamespace ? `${name}.${resolvedNamespace}:${match[2]}` : undefined;
}

/**
 * When the app generates a Jaeger, every tracer address in the mesh (ProxyConfig zipkin addresses,
 * mesh-wide or per pod, and tracing extension providers) should reach one of its receiving
 * Services; one that does not sends spans somewhere else, which is likely a leftover address.
 */
export const tracingBackendAddressRule: AppRule = {
  id: 'tracing-backend-address',
  scope: 'object',
  summary:
    'Warns when the app generates a Jaeger but a tracer (ProxyConfig zipkin address, mesh-wide or per pod, or a tracing extension provider) sends spans to an address that is none of its receiving Services.',
  remediation:
    "Send spans to a receiving Service of the generated Jaeger, or leave the tracer's address out to use it.",
  kinds: [...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'warning',
  docs: 'docs/validation.md#tracing-backend-address',
  check(context: ValidationContext): RuleFinding[] {
    const jaegers = context.constructs.filter(isSpanCollectorSource);
    if (jaegers.length === 0) return [];
    const receivers = new Set(
      jaegers.flatMap((j) => j.spanReceiverAddresses().map((a) => serviceAddressKey(a, j.namespace))),
    );
    const listed = [...receivers].sort().join(', ');
    return tracerAddresses(context)
      .filter((t) => !receivers.has(serviceAddressKey(t.address, t.namespace)))
      .map((t) => ({
        path: t.path,
        severity: 'warning' as const,
        ...statement(
          t.field,
          `got ${JSON.stringify(t.address)}, expected a receiving Service of the generated Jaeger (${listed}); spans sent here do not reach it. Leave the tracer's address out to use the Jaeger's`,
        ),
      }));
  },
};

function tracerAddresses(context: ValidationContext): TracerAddress[] {
  const found: TracerAddress[] = [];
  const zipkinOf = (config: Record<string, unknown>) =>
    ((config.tracing as Record<string, unknown> | undefined)?.zipkin as { address?: unknown } | undefined)?.address;
  for (const { path, defaultConfig } of meshDefaultConfigs(context.objects)) {
    const address = zipkinOf(defaultConfig);
    if (typeof address === 'string') {
      found.push({
        path,
        field: ['spec', 'meshConfig', 'defaultConfig', 'tracing', 'zipkin', 'address'],
        address,
        namespace: undefined,
      });
    }
  }
  for (const template of podTemplates(context.objects)) {
    const config = proxyConfigOf(template);
    if (!config || config instanceof Error) continue;
    const address = zipkinOf(config);
    if (typeof address === 'string') {
      found.push({
        path: template.path,
        field: [...proxyConfigField(template), 'tracing', 'zipkin', 'address'],
        address,
        namespace: template.namespace,
      });
    }
  }
  for (const { path, manifest } of context.objects) {
    if (manifest.kind !== 'IstioOperator') continue;
    const providers = ((manifest.spec as Record<string, unknown>)?.meshConfig as Record<string, unknown> | undefined)
      ?.extensionProviders as Record<string, unknown>[] | undefined;
    (providers ?? []).forEach((provider, i) => {
      for (const kind of ['zipkin', 'opentelemetry']) {
        const p = provider[kind] as { service?: unknown; port?: unknown } | undefined;
        if (typeof p?.service === 'string' && typeof p.port === 'number') {
          found.push({
            path,
            field: ['spec', 'meshConfig', 'extensionProviders', i, kind],
            address: `${p.service}:${p.port}`,
            namespace: undefined,
          });
        }
      }
    });
  }
  return found;
}
