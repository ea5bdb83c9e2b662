import { samplingZeroProblem } from '../../core/checks/sampling-checks';
import { mappingAt } from '../../core/json-values';
import { problem, statement, under } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshConfigs } from '../../model/install-inputs';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { describeAjvErrors } from '../schema/ajv-messages';

/**
 * istiod parses `proxy.istio.io/config` when the pod is injected; an unparsable or misspelled
 * annotation fails the injection or is ignored. Checked against the same ProxyConfig schema as the
 * IstioOperator's meshConfig.defaultConfig, so hand-written annotations are covered too.
 */
export const proxyConfigAnnotationRule: AppRule = {
  id: 'proxy-config-annotation',
  scope: 'object',
  summary:
    "Every proxy.istio.io/config annotation is a YAML mapping of known ProxyConfig fields with valid values (the ProxyConfig part of schemas/istio-operator.schema.json), and never sets tracing.sampling to 0, which Istio reads as unset; nor does a mesh config's defaultConfig (IstioOperator, mesh ConfigMap, istiod Helm values, Sail Operator Istio).",
  remediation:
    'Write the annotation as a YAML mapping of ProxyConfig fields; trace nothing through the Telemetry API, not with sampling 0.',
  kinds: [...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#proxy-config-annotation',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const template of podTemplates(context.objects)) {
      const config = proxyConfigOf(template);
      if (config === undefined) continue;
      const field = proxyConfigField(template);
      if (config instanceof Error) {
        findings.push({
          path: template.path,
          ...statement(field, `is not a YAML mapping (${config.message.split('\n')[0]}; expected ProxyConfig fields)`),
        });
        continue;
      }
      for (const found of describeAjvErrors(context.schemas.validateDefinition('ProxyConfig', config), config)) {
        findings.push({ ...under(field, found), path: template.path });
      }
      const sampling = (config.tracing as { sampling?: unknown } | undefined)?.sampling;
      if (sampling === 0) {
        const { what, expected, hint } = samplingZeroProblem();
        findings.push({
          path: template.path,
          ...problem([...field, 'tracing', 'sampling'], sampling, expected, { what, hint }),
        });
      }
    }
    // The mesh-wide default is read the same way: 0 there is unset too (istio/istio#36750, #31985).
    for (const source of meshConfigs(context.objects)) {
      const defaults = mappingAt(source.meshConfig, 'defaultConfig', 'tracing');
      if (defaults.sampling !== 0) continue;
      const { what, expected, hint } = samplingZeroProblem();
      findings.push({
        path: source.path,
        ...problem([...source.field, 'defaultConfig', 'tracing', 'sampling'], 0, expected, { what, hint }),
      });
    }
    return findings;
  },
};
