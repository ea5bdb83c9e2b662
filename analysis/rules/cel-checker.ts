import { type ASTNode, Environment, parse } from '@marcbachmann/cel-js';
import type { CelResultType } from '../../core/contracts/construct-sources';
import { nearestNames } from '../../core/problems/nearest';
import {
  type CelVocabulary,
  celVocabulary,
  FILTER_STATE_TYPE,
  fieldNamesInAnyRelease,
  fieldReleases,
  MOVED_ROOTS,
} from '../../core/version/cel-attributes';
import { FEATURES } from '../../core/version/version-features';
import { VersionPolicy } from '../../core/version/version-policy';

/** What a CEL expression is wrong with, or undefined when it is fine. */
export interface CelProblem {
  readonly what: string;
  readonly expected: string;
  readonly hint?: string;
  /**
   * The expression reads a bare name no root or known generated attribute has, and no root is
   * close to it: before 1.24 an attributegen in a file not in this run may produce it.
   */
  readonly generatedElsewhere?: boolean;
}

/**
 * What each result is, as the stats filter reads it: a metric value is printed and parsed as an
 * unsigned integer (a string or a duration counts 0), a condition must be a bool
 * (istio/proxy@81864a1c:source/extensions/filters/http/istio_stats/istio_stats.cc).
 */
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

/** Primitive and parameterized types cel-js knows without registration. */
const BUILT_IN = /^(string|int|uint|double|bool|bytes|dyn|list<.*>|map<.*>|google\.protobuf\.(Timestamp|Duration))$/;

/** Every target's vocabulary, to say which releases have a field one release lacks. */
let allVocabularies: { minor: number; vocabulary: CelVocabulary }[] | undefined;
function vocabularies(): readonly { minor: number; vocabulary: CelVocabulary }[] {
  allVocabularies ??= VersionPolicy.supportedVersions().flatMap((version) => {
    const policy = VersionPolicy.resolve(version);
    return policy instanceof VersionPolicy ? [{ minor: policy.version.minor, vocabulary: celVocabulary(policy) }] : [];
  });
  return allVocabularies;
}

const has = (record: object, key: string): boolean => Object.hasOwn(record, key);

/**
 * Checks CEL expressions with a real CEL implementation (@marcbachmann/cel-js) against the typed
 * attribute vocabulary of the target release (version/cel-attributes.ts): syntax with the column
 * of the error, attributes and fields the release has (with the nearest name for a typo and the
 * releases that do have a field), operand types, and the result type the site needs.
 */
export class CelChecker {
  private readonly vocabulary: CelVocabulary;
  private readonly environments = new Map<string, Environment>();
  private readonly istioVersion: string;

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
    this.vocabulary = celVocabulary(policy);
  }

  private get bareNames(): boolean {
    return this.policy.mechanisms.generatedAttributeReference === 'bare-name';
  }

  /** The fields of a message type in this check, other filters' filter state keys included. */
  private fieldsOf(type: string, extraKeys: readonly string[] = []): Record<string, string> {
    const fields = { ...(has(this.vocabulary.messages, type) ? this.vocabulary.messages[type] : {}) };
    if (type !== FILTER_STATE_TYPE) return fields;
    // The stats filter reads any wasm.* entry through filter_state, bare names aside (istio_stats.cc).
    for (const name of this.generated) fields[`wasm.${name}`] = 'string';
    for (const key of extraKeys) fields[key] ??= 'dyn';
    return fields;
  }

  private environment(extraKeys: readonly string[]): Environment {
    const key = extraKeys.join('\n');
    const cached = this.environments.get(key);
    if (cached) return cached;
    const environment = new Environment();
    // cel-js resolves a field's message type when the message is registered: dependencies first.
    const pending = new Map(Object.keys(this.vocabulary.messages).map((t) => [t, this.fieldsOf(t, extraKeys)]));
    while (pending.size > 0) {
      const ready = [...pending].filter(([, fields]) =>
        Object.values(fields).every((t) => BUILT_IN.test(t) || (!pending.has(t) && has(this.vocabulary.messages, t))),
      );
      if (ready.length === 0) throw new Error(`CEL vocabulary has a cycle among ${[...pending.keys()].join(', ')}`);
      for (const [name, fields] of ready) {
        environment.registerType(name, { fields });
        pending.delete(name);
      }
    }
    for (const [root, type] of Object.entries(this.vocabulary.roots)) environment.registerVariable(root, type);
    if (this.bareNames) for (const name of this.generated) environment.registerVariable(name, 'string');
    this.environments.set(key, environment);
    return environment;
  }

  check(expression: string, result: CelResultType): CelProblem | undefined {
    const nodes = safeNodes(expression);
    const extraKeys = nodes ? this.otherFilterStateKeys(nodes) : [];
    const environment = this.environment(extraKeys);
    const checked = environment.check(expression);
    if (!checked.valid) {
      const error = checked.error as Error & { range?: { start: number } };
      const column = (error.range?.start ?? 0) + 1;
      const reason = error.message.split('\n')[0] ?? error.message;
      const unknown = /^Unknown variable: (\S+)$/.exec(reason);
      if (unknown?.[1] !== undefined) return this.unknownRoot(unknown[1], column);
      const noKey = /^No such key: (.+)$/.exec(reason);
      const field =
        noKey?.[1] !== undefined && nodes ? this.unknownField(noKey[1], nodes, expression, column) : undefined;
      if (field) return field;
      const kind = error.name === 'ParseError' ? 'syntax' : 'type';
      return { what: `CEL ${kind} error at column ${column}: ${reason}`, expected: RESULT_NAMES[result] };
    }
    const allowed = RESULT_TYPES[result];
    if (allowed && !allowed.includes(String(checked.type))) {
      return { what: `evaluates to ${checked.type}`, expected: RESULT_NAMES[result] };
    }
    return undefined;
  }

  private unknownRoot(name: string, column: number): CelProblem {
    if (!this.bareNames && this.generated.includes(name)) {
      return {
        what: `reads generated attribute "${name}" by its bare name at column ${column}, which Istio ${this.istioVersion} no longer resolves`,
        expected: this.policy.generatedAttributeExpression(name),
        hint: `give the dimension as { attribute: ${name} }, which is translated for each release`,
      };
    }
    const roots = Object.keys(this.vocabulary.roots).sort();
    const generated =
      this.bareNames && this.generated.length > 0 ? `; or one generated in this app: ${this.generated.join(', ')}` : '';
    const nearest = nearestNames(name, [...roots, ...(this.bareNames ? this.generated : [])])[0];
    // A root of the other vocabulary (upstream_peer on 1.24+, xds before 1.24): name the one this release reads.
    const movedTo = has(MOVED_ROOTS, name) ? MOVED_ROOTS[name] : undefined;
    const movedFrom = Object.entries(MOVED_ROOTS).find(([, to]) => to.startsWith(`${name}.`))?.[0];
    // Where the vocabulary changed, so that `plan` can say why an expression broke at 1.24.
    const changed = `(the CEL vocabulary changed in 1.24: ${FEATURES.standardCelAttributes.source.split(';')[0]})`;
    const hint =
      movedTo && has(this.vocabulary.roots, movedTo.split('.')[0] ?? '')
        ? `Istio ${this.istioVersion} reads it as ${movedTo} ${changed}`
        : movedFrom && has(this.vocabulary.roots, movedFrom)
          ? `Istio ${this.istioVersion} reads ${MOVED_ROOTS[movedFrom]} as ${movedFrom} ${changed}`
          : nearest
            ? `did you mean ${nearest}?`
            : undefined;
    return {
      what: `reads unknown attribute "${name}" at column ${column}`,
      expected: `attributes of Istio ${this.istioVersion}: ${roots.join(', ')}${generated}`,
      ...(hint ? { hint } : {}),
      ...(this.bareNames && hint === undefined ? { generatedElsewhere: true } : {}),
    };
  }

  /** "No such key": the field access it comes from, the fields its object has, the nearest one. */
  private unknownField(key: string, nodes: readonly ASTNode[], expression: string, column: number) {
    const access = nodes.find(
      (node) =>
        (node.op === '.' && node.args[1] === key) ||
        (node.op === '[]' && (node.args[1] as ASTNode).op === 'value' && (node.args[1] as ASTNode).args === key),
    );
    if (!access) return undefined;
    const [object] = access.args as [ASTNode, unknown];
    const objectText = expression.slice(object.start, object.end);
    const type = String(this.environment([]).check(objectText).type);
    const fields = Object.keys(this.fieldsOf(type)).sort();
    const read = access.op === '.' ? `${objectText}.${key}` : `${objectText}[${JSON.stringify(key)}]`;
    const releases = fieldReleases(type, key, vocabularies());
    const nearest = nearestNames(key, fields)[0];
    const asRoot = type === FILTER_STATE_TYPE && has(this.vocabulary.roots, key);
    const hint = asRoot
      ? `Istio ${this.istioVersion} reads the peer as ${key}: ${Object.keys(
          this.fieldsOf(this.vocabulary.roots[key] ?? ''),
        )
          .map((f) => `${key}.${f}`)
          .slice(0, 4)
          .join(', ')}, ...`
      : nearest
        ? `did you mean ${objectText}.${nearest}?`
        : undefined;
    return {
      what: `reads ${read} at column ${column}, which Istio ${this.istioVersion} does not have${releases ? ` (it is in ${releases})` : ''}`,
      expected: `a field of ${objectText}: ${fields.join(', ')}`,
      ...(hint ? { hint } : {}),
    } satisfies CelProblem;
  }

  /**
   * Filter state keys other filters write (e.g. `envoy.tcp_proxy.cluster`): read as `dyn`. Keys
   * Istio writes in some release, generated attributes and likely typos of known keys are left
   * out, so that reading them where the release lacks them is refused.
   */
  private otherFilterStateKeys(nodes: readonly ASTNode[]): string[] {
    const keys = new Set<string>();
    const known = Object.keys(this.fieldsOf(FILTER_STATE_TYPE));
    const knownSomewhere = [...new Set([...known, ...fieldNamesInAnyRelease(FILTER_STATE_TYPE)])];
    for (const node of nodes) {
      if (node.op !== '.' && node.op !== '[]') continue;
      const object = node.args[0] as ASTNode;
      if (object.op !== 'id' || object.args !== 'filter_state') continue;
      const index = node.args[1] as ASTNode | string;
      const key = typeof index === 'string' ? index : index.op === 'value' ? index.args : undefined;
      if (typeof key !== 'string' || knownSomewhere.includes(key)) continue;
      if (key.startsWith('wasm.') && this.generated.includes(key.slice('wasm.'.length))) continue;
      if (!key.includes('.') && nearestNames(key, knownSomewhere).length > 0) continue;
      keys.add(key);
    }
    return [...keys].sort();
  }
}

/** Every node of a parsed expression, parents before children; undefined when it does not parse. */
function safeNodes(expression: string): ASTNode[] | undefined {
  try {
    return celNodes(expression);
  } catch {
    return undefined;
  }
}

/** Every node of a parsed expression, parents before children. */
export function celNodes(expression: string): ASTNode[] {
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
