import { formatValue } from '../../core/errors';
import { isMapping, listOf } from '../../core/json-values';
import { problem, statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshConfigs } from '../../model/install-inputs';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * istiod refuses a mesh config whose extension provider has no name, a name already used, or no
 * provider (an empty `zipkin:` is null, which protobuf JSON reads as unset): "unsupported
 * provider" (istio/istio@1.30.3:pkg/config/validation/agent/extensionprovider.go
 * ValidateExtensionProviders; the same at 1.17.8 in pkg/config/validation/extensionprovider.go).
 */
export const extensionProvidersRule: AppRule = {
  id: 'extension-providers',
  scope: 'object',
  summary:
    'Every meshConfig.extensionProviders entry has a name of its own and exactly one provider with its settings: istiod refuses the whole mesh config otherwise ("unsupported provider"; an empty `zipkin:` is null, which counts as none).',
  remediation: 'Give every extension provider a name of its own and exactly one provider with its settings.',
  kinds: [...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#extension-providers',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const source of meshConfigs(context.objects)) {
      const seen = new Set<string>();
      listOf(source.meshConfig.extensionProviders).forEach((entry, i) => {
        const field = [...source.field, 'extensionProviders', i];
        if (!isMapping(entry)) return; // the schema reports it
        const { name, ...rest } = entry;
        if (typeof name !== 'string' || name === '') {
          findings.push({ path: source.path, ...problem([...field, 'name'], name, 'a provider name') });
        } else if (seen.has(name)) {
          findings.push({
            path: source.path,
            ...problem([...field, 'name'], name, 'a name no other extension provider has'),
          });
        } else seen.add(name);
        const providers = Object.entries(rest).filter(([, settings]) => settings !== null);
        if (providers.length === 1 && isMapping(providers[0]?.[1])) return;
        findings.push({
          path: source.path,
          ...statement(
            field,
            providers.length === 0
              ? `names no provider (got ${formatValue(entry)}): istiod refuses the mesh config with "unsupported provider"`
              : `sets ${providers.map(([key]) => key).join(' and ')}: istiod reads one provider per entry`,
          ),
          hint: 'give exactly one provider with its settings, e.g. zipkin: { service: zipkin.istio-system.svc.cluster.local, port: 9411 }',
        });
      });
    }
    return findings;
  },
};
