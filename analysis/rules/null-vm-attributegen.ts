import { isMapping, listOf, mappingAt } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { isEnvoyFilter } from '../../model/telemetry-objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Whether a patch value loads the built-in (null VM) attributegen plugin. */
function loadsNullVmAttributegen(value: unknown): boolean {
  const text = JSON.stringify(value ?? null);
  return text.includes('envoy.wasm.runtime.null') && text.includes('envoy.wasm.attributegen');
}

/**
 * Istio 1.18 removed the built-in attributegen (and stats) Wasm code from the proxy
 * (istio/proxy#4462): an EnvoyFilter that still loads `envoy.wasm.attributegen` in the null VM
 * makes the listener fail ("Unable to create Wasm HTTP filter", istio/istio#47042), and the
 * attribute it was to generate never exists.
 */
export const nullVmAttributegenRule: AppRule = {
  id: 'null-vm-attributegen',
  scope: 'object',
  summary:
    'No EnvoyFilter loads the null-VM attributegen plugin (envoy.wasm.attributegen in envoy.wasm.runtime.null) on Istio 1.18+, whose proxies no longer have it (istio/proxy#4462): Envoy refuses the filter (istio/istio#47042). A WasmPlugin with the attributegen module replaces it.',
  remediation:
    'Replace the EnvoyFilter with a WasmPlugin that loads the attributegen module (the AttributeGen construct).',
  kinds: ['EnvoyFilter'],
  severity: 'error',
  docs: 'docs/validation.md#null-vm-attributegen',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const removed = context.targets.filter((t) => t.policy.mechanisms.attributeGeneration === 'wasm-plugin');
    if (removed.length === 0) return findings;
    const versions = removed.map((t) => t.istioVersion).join(', ');
    for (const { path, manifest } of context.objects) {
      if (!isEnvoyFilter(manifest)) continue;
      listOf(mappingAt(manifest, 'spec').configPatches).forEach((patch, i) => {
        if (!isMapping(patch) || !loadsNullVmAttributegen(mappingAt(patch, 'patch').value)) return;
        findings.push({
          path,
          ...statement(
            ['spec', 'configPatches', i, 'patch', 'value'],
            `loads the null-VM attributegen plugin (envoy.wasm.attributegen), which the proxies of Istio ${versions} no longer have (istio/proxy#4462): Envoy refuses the filter and the attribute is never generated (istio/istio#47042)`,
            'generate the attribute with a WasmPlugin that loads the attributegen module (the AttributeGen construct emits one from 1.18)',
          ),
        });
      });
    }
    return findings;
  },
};
