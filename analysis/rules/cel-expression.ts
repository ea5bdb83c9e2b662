import type { ASTNode } from '@marcbachmann/cel-js';
import type { IConstruct } from 'constructs';
import { type CelSite, isAttributeSource, isCelExpressionSource } from '../../core/contracts/construct-sources';
import type { IIstioMesh } from '../../core/contracts/istio-mesh';
import type { FieldPath } from '../../core/problems/field-path';
import { problem } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS } from '../../model/install-inputs';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { CelChecker, type CelProblem, celNodes } from './cel-checker';
import { manifestCelSites, manifestGeneratedAttributes } from './manifest-cel';

/** The identifiers an expression reads at its root (`request` in `request.method`). */
export function rootIdentifiers(expression: string): string[] {
  const names = celNodes(expression).flatMap((node) => (node.op === 'id' ? [node.args] : []));
  return [...new Set(names)].sort();
}

/**
 * The generated attributes an expression reads: bare identifiers (before 1.24) and
 * `filter_state['wasm.<name>']` (from 1.24).
 */
export function attributeReads(expression: string): string[] {
  const names = new Set(rootIdentifiers(expression));
  for (const node of celNodes(expression)) {
    if (node.op !== '[]') continue;
    const [object, index] = node.args as [ASTNode, ASTNode];
    if (object.op === 'id' && object.args === 'filter_state' && index.op === 'value') {
      const key = String(index.args);
      if (key.startsWith('wasm.')) names.add(key.slice('wasm.'.length));
    }
  }
  return [...names].sort();
}

/** Attributes generated per mesh, with their producers. */
export function generatedAttributes(
  constructs: readonly IConstruct[],
  mesh: IIstioMesh,
): Map<string, { producer: IConstruct; proxies: readonly string[] }[]> {
  const byName = new Map<string, { producer: IConstruct; proxies: readonly string[] }[]>();
  for (const source of constructs.filter(isAttributeSource).filter((s) => s.mesh === mesh)) {
    for (const name of source.generatedAttributes()) {
      byName.set(name, [...(byName.get(name) ?? []), { producer: source, proxies: source.proxies }]);
    }
  }
  return byName;
}

/** Every CEL site in the app, with its construct. */
export function celSites(
  constructs: readonly IConstruct[],
): { construct: IConstruct; mesh: IIstioMesh; site: CelSite }[] {
  return constructs
    .filter(isCelExpressionSource)
    .flatMap((construct) => construct.celExpressions().map((site) => ({ construct, mesh: construct.mesh, site })));
}

export const celExpressionRule: AppRule = {
  id: 'cel-expression',
  summary:
    "Every CEL expression (dimension values, metric values, attribute conditions) parses and type-checks against the target Istio release's typed attributes (Envoy's request, response, connection, upstream, source, destination, metadata and xds attributes; the release's peer metadata fields; attributes an attribute generator in the app produces): a misspelt field is refused with the nearest name, a field the release lacks with the releases that have it, mixed operand types, a string as a condition or a metric value are refused. Istio drops metrics silently when an expression fails.",
  remediation:
    'Correct the expression to the attributes and types the target release has; the finding names the nearest attribute.',
  kinds: ['Telemetry', 'WasmPlugin', 'EnvoyFilter', ...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#cel-expression',
  check(context: ValidationContext): RuleFinding[] {
    const checkers = new Map<IIstioMesh, CelChecker>();
    const checkerFor = (mesh: IIstioMesh): CelChecker => {
      let checker = checkers.get(mesh);
      if (!checker) {
        const generated = [...generatedAttributes(context.constructs, mesh).keys()].sort();
        checker = new CelChecker(mesh.policy, generated);
        checkers.set(mesh, checker);
      }
      return checker;
    };
    const finding = (path: string, field: FieldPath, expression: string, cel: CelProblem): RuleFinding => ({
      path,
      ...problem(field, expression, cel.expected, { what: cel.what, ...(cel.hint ? { hint: cel.hint } : {}) }),
    });
    const declared = celSites(context.constructs).flatMap(({ construct, mesh, site }) => {
      const problem = checkerFor(mesh).check(site.expression, site.result);
      return problem ? [finding(construct.node.path, site.field, site.expression, problem)] : [];
    });
    // Objects no construct built (hand-written, or read from files) are checked against every
    // target; an object read for reference is checked on its own file's turn.
    const sites = manifestCelSites(context.objects.filter((o) => !o.reference));
    if (sites.length === 0) return declared;
    const generated = manifestGeneratedAttributes(context.objects);
    const written = context.targets.flatMap((target) => {
      const checker = new CelChecker(target.policy, generated);
      return sites.flatMap((site) => {
        const problem = checker.check(site.expression, site.result);
        if (!problem) return [];
        // Files linted on their own may read an attribute another file's attributegen produces.
        const elsewhere = problem.generatedElsewhere === true && !context.complete;
        return [
          {
            ...finding(site.path, site.field, site.expression, problem),
            ...(elsewhere
              ? {
                  severity: 'warning' as const,
                  hint: 'unless an attributegen in a file not linted here produces it, the dimension reads "unknown"',
                }
              : {}),
          },
        ];
      });
    });
    return [...declared, ...written];
  },
};
