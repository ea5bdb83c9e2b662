import type { IIstioMesh } from '../../core/contracts/istio-mesh';
import { statement } from '../../core/problems/problem';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { attributeReads, celSites, generatedAttributes } from './cel-expression';

/**
 * A generated attribute exists only on the proxies its generator runs on (an EnvoyFilter patch
 * per listener context). An expression that reads it elsewhere sees no attribute and the metric
 * gets no value, silently.
 */
export const generatedAttributeCoverageRule: AppRule = {
  id: 'generated-attribute-coverage',
  scope: 'object',
  summary:
    'An expression that reads a generated attribute (e.g. istio_operationId) runs only on proxies where an attribute generator of the same mesh produces it.',
  remediation: 'Generate the attribute on every proxy kind that reads it, or read it only where it is generated.',
  kinds: ['Telemetry', 'WasmPlugin', 'EnvoyFilter'],
  severity: 'error',
  docs: 'docs/validation.md#generated-attribute-coverage',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const byMesh = new Map<IIstioMesh, ReturnType<typeof generatedAttributes>>();
    for (const { construct, mesh, site } of celSites(context.constructs)) {
      let producers = byMesh.get(mesh);
      if (!producers) {
        producers = generatedAttributes(context.constructs, mesh);
        byMesh.set(mesh, producers);
      }
      let roots: string[];
      try {
        roots = attributeReads(site.expression);
      } catch {
        continue; // a syntax error, reported by cel-expression
      }
      for (const name of roots) {
        const made = producers.get(name);
        if (!made) continue;
        const covered = new Set(made.flatMap((p) => p.proxies));
        const missing = site.proxies.filter((proxy) => !covered.has(proxy));
        if (missing.length === 0) continue;
        const by = made.map((p) => `${p.producer.node.path} generates it only on ${p.proxies.join(', ')}`).join('; ');
        findings.push({
          path: construct.node.path,
          ...statement(site.field, `reads attribute "${name}" on ${missing.join(', ')}, but ${by}`),
          hint: 'narrow proxies or generate the attribute there too',
        });
      }
    }
    return findings;
  },
};
