import { type ASTNode, Environment, parse } from '@marcbachmann/cel-js';
import type { IConstruct } from 'constructs';
import { type CelResultType, type CelSite, isAttributeSource, isCelExpressionSource } from '../../intent/sources';
import type { IstioMesh } from '../../mesh/istio-mesh';
import type { FieldPath } from '../../problems/field-path';
import { problem } from '../../problems/problem';
import type { VersionPolicy } from '../../version/version-policy';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { manifestCelSites, manifestGeneratedAttributes } from './manifest-cel';

/** What a CEL expression is wrong with, or undefined when it is fine. */
export interface CelProblem {
  readonly what: string;
  readonly expected: string;
  readonly hint?: string;
}

const RESULT_TYPES: Readonly<Record<CelResultType, readonly string[] | undefined>> = {
  any: undefined,
  bool: ['bool', 'dyn'],
  number: ['int', 'uint', 'double', 'dyn'],
};
const RESULT_NAMES: Readonly<Record<CelResultType, string>> = {
  any: 'a CEL expression',
  bool: 'a CEL condition (bool)',
  number: 'a numeric CEL expression (int, uint or double)',
};

/**
 * Checks CEL expressions with a real CEL implementation (@marcbachmann/cel-js): syntax with the
 * position of the error, the root attributes the expression reads against what the target
 * Istio release provides (plus attributes generated in the same app), and the result type.
 */
export class CelChecker {
  private readonly environment = new Environment();
  private readonly known: readonly string[];

  /**
   * @param generated attributes generated in the app
   * @param policy the target's policy: from 1.24 generated attributes are read through
   *   `filter_state['wasm.<name>']`, not by their bare name (istio/proxy#4462; istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)
   */
  constructor(
    private readonly policy: VersionPolicy,
    private readonly generated: readonly string[],
  ) {
    this.istioVersion = policy.version.toString();
    const rootAttributes = policy.mechanisms.celRootAttributes;
    for (const root of rootAttributes) this.environment.registerVariable(root, 'map<string, dyn>');
    if (this.bareNames) for (const name of generated) this.environment.registerVariable(name, 'string');
    this.known = rootAttributes;
  }

  private readonly istioVersion: string;

  private get bareNames(): boolean {
    return this.policy.mechanisms.generatedAttributeReference === 'bare-name';
  }

  check(expression: string, result: CelResultType): CelProblem | undefined {
    const checked = this.environment.check(expression);
    if (!checked.valid) {
      const error = checked.error as Error & { range?: { start: number } };
      const column = (error.range?.start ?? 0) + 1;
      const reason = error.message.split('\n')[0] ?? error.message;
      const unknown = /^Unknown variable: (\S+)$/.exec(reason);
      if (unknown?.[1] !== undefined && !this.bareNames && this.generated.includes(unknown[1])) {
        return {
          what: `reads generated attribute "${unknown[1]}" by its bare name at column ${column}, which Istio ${this.istioVersion} no longer resolves`,
          expected: this.policy.generatedAttributeExpression(unknown[1]),
          hint: `give the dimension as { attribute: ${unknown[1]} }, which is translated for each release`,
        };
      }
      if (unknown) {
        const generated =
          this.bareNames && this.generated.length > 0
            ? `; or one generated in this app: ${this.generated.join(', ')}`
            : '';
        return {
          what: `reads unknown attribute "${unknown[1]}" at column ${column}`,
          expected: `attributes of Istio ${this.istioVersion}: ${this.known.join(', ')}${generated}`,
        };
      }
      const kind = error.name === 'ParseError' ? 'syntax' : 'type';
      return { what: `CEL ${kind} error at column ${column}: ${reason}`, expected: RESULT_NAMES[result] };
    }
    const allowed = RESULT_TYPES[result];
    if (allowed && !allowed.includes(String(checked.type))) {
      return { what: `evaluates to ${checked.type}`, expected: RESULT_NAMES[result] };
    }
    return undefined;
  }
}

/** Every node of a parsed expression, parents before children. */
function celNodes(expression: string): ASTNode[] {
  const nodes: ASTNode[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (node === null || typeof node !== 'object' || !('op' in node)) return;
    const ast = node as ASTNode;
    nodes.push(ast);
    if (ast.op !== 'id') visit(ast.args);
  };
  visit(parse(expression).ast);
  return nodes;
}

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
  mesh: IstioMesh,
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
): { construct: IConstruct; mesh: IstioMesh; site: CelSite }[] {
  return constructs
    .filter(isCelExpressionSource)
    .flatMap((construct) => construct.celExpressions().map((site) => ({ construct, mesh: construct.mesh, site })));
}

export const celExpressionRule: AppRule = {
  id: 'cel-expression',
  summary:
    'Every CEL expression (dimension values, metric values, attribute conditions) parses, reads only attributes the target Istio release provides or that an attribute generator in the app produces, and has the right result type: Istio drops metrics silently when an expression fails.',
  check(context: ValidationContext): RuleFinding[] {
    const checkers = new Map<IstioMesh, CelChecker>();
    const checkerFor = (mesh: IstioMesh): CelChecker => {
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
    // Objects no construct built (hand-written, or read from files) are checked against every target.
    const sites = manifestCelSites(context.objects);
    if (sites.length === 0) return declared;
    const generated = manifestGeneratedAttributes(context.objects);
    const written = context.targets.flatMap((target) => {
      const checker = new CelChecker(target.policy, generated);
      return sites.flatMap((site) => {
        const problem = checker.check(site.expression, site.result);
        return problem ? [finding(site.path, site.field, site.expression, problem)] : [];
      });
    });
    return [...declared, ...written];
  },
};
