import { type ASTNode, parse } from '@marcbachmann/cel-js';
import type { IConstruct } from 'constructs';
import { formatValue, ObservabilityConfigError, problem } from '../errors';
import type { VersionPolicy } from './version-policy';

/**
 * Peer metadata fields of the pre-1.24 vocabulary (`upstream_peer.<field>`, the proxy's
 * FlatNode) that have the same meaning under `filter_state.<peer>` from 1.24 (facts A.5;
 * istio/proxy `source/extensions/common/metadata_object.h`: tokens namespace, cluster, service,
 * revision, app, version, workload, type, name).
 */
const PEER_FIELDS: Readonly<Record<string, string>> = {
  name: 'name',
  namespace: 'namespace',
  workload_name: 'workload',
  cluster_id: 'cluster',
};
const NEW_PEER_FIELDS = 'namespace, cluster, service, revision, app, version, workload, type, name';
const PEERS = ['upstream_peer', 'downstream_peer'];
/** Macros whose first argument binds a variable inside the call (CEL spec "Macros"). */
const BINDING_MACROS = ['all', 'exists', 'exists_one', 'map', 'filter'];

/** A CEL expression in the target release's vocabulary, or why it has none. */
export type CelTranslation =
  | { readonly expression: string; readonly refusals?: undefined }
  | { readonly expression?: undefined; readonly refusals: readonly CelRefusal[] };

export interface CelRefusal {
  /** The part of the expression with no equivalent, e.g. `upstream_peer.istio_version`. */
  readonly text: string;
  readonly what: string;
  readonly hint: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Rewrites a CEL expression written in the pre-1.24 vocabulary (the seeds': `upstream_peer.*`,
 * `node.metadata[...]`, bare generated attribute names) into what the target release reads:
 * unchanged before 1.24; from 1.24 `node` → `xds.node`, peer fields → `filter_state.<peer>.<field>`
 * and generated attributes → `filter_state['wasm.<name>']`. Parts with no equivalent are refused
 * with the reason. Only the rewritten spans change; the rest of the text is kept as written.
 * An expression that does not parse is returned unchanged, for the cel-expression rule to report.
 */
export function translateCel(
  expression: string,
  policy: VersionPolicy,
  generatedAttributes: readonly string[] = [],
): CelTranslation {
  if (policy.mechanisms.celVocabulary === 'istio-peer-metadata') return { expression };
  let ast: ASTNode;
  try {
    ast = parse(expression).ast;
  } catch {
    return { expression };
  }
  const edits: Edit[] = [];
  const refusals: CelRefusal[] = [];
  const text = (node: ASTNode) => expression.slice(node.start, node.end);
  const visit = (node: unknown, bound: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, bound);
      return;
    }
    if (node === null || typeof node !== 'object' || !('op' in node)) return;
    const ast = node as ASTNode;
    if (ast.op === 'id') {
      const name = ast.args;
      if (bound.has(name)) return;
      if (name === 'node') edits.push({ start: ast.start, end: ast.end, text: 'xds.node' });
      else if (generatedAttributes.includes(name)) {
        edits.push({ start: ast.start, end: ast.end, text: policy.generatedAttributeExpression(name) });
      } else if (PEERS.includes(name)) {
        refusals.push(peerRefusal(name, undefined, text(ast), policy));
      }
      return;
    }
    const peerField = peerAccess(ast, bound);
    if (peerField) {
      const { peer, field } = peerField;
      const mapped =
        PEER_FIELDS[field] ?? (field === 'labels' && policy.has('peerMetadataLabels') ? 'labels' : undefined);
      if (mapped) edits.push({ start: ast.start, end: ast.end, text: `filter_state.${peer}.${mapped}` });
      else refusals.push(peerRefusal(peer, field, text(ast), policy));
      return;
    }
    if (ast.op === 'rcall' && BINDING_MACROS.includes(ast.args[0])) {
      const [, target, args] = ast.args;
      visit(target, bound);
      const variable = args[0];
      const inner = new Set(bound);
      if (variable?.op === 'id') inner.add(variable.args);
      visit(args.slice(1), inner);
      return;
    }
    visit(ast.args, bound);
  };
  visit(ast, new Set());
  if (refusals.length > 0) return { refusals };
  let result = expression;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return { expression: result };
}

/** `upstream_peer.f` or `upstream_peer['f']` with an unbound peer root. */
function peerAccess(ast: ASTNode, bound: ReadonlySet<string>): { peer: string; field: string } | undefined {
  if (ast.op !== '.' && ast.op !== '[]') return undefined;
  const [object, key] = ast.args as [ASTNode, unknown];
  if (object.op !== 'id' || !PEERS.includes(object.args) || bound.has(object.args)) return undefined;
  if (ast.op === '.') return { peer: object.args, field: String(key) };
  const index = key as ASTNode;
  return index.op === 'value' && typeof index.args === 'string' ? { peer: object.args, field: index.args } : undefined;
}

function peerRefusal(peer: string, field: string | undefined, text: string, policy: VersionPolicy): CelRefusal {
  const target = `Istio ${policy.version}`;
  if (field === 'labels') {
    return {
      text,
      what: `reads ${text}, which ${target} has no equivalent for: filter_state.${peer} carries ${NEW_PEER_FIELDS}; labels were verified only from 1.30`,
      hint: `use filter_state.${peer}.app or .version for the app and version labels`,
    };
  }
  if (field === undefined) {
    return {
      text,
      what: `reads ${text} as a whole, which ${target} replaced by filter_state.${peer}`,
      hint: `read one field of filter_state.${peer}: ${NEW_PEER_FIELDS}`,
    };
  }
  return {
    text,
    what: `reads ${text}, which ${target} has no equivalent for: peer metadata moved to filter_state.${peer}, whose fields are ${NEW_PEER_FIELDS}, and ${formatValue(field)} is not among them (facts A.5)`,
    hint:
      field === 'istio_version'
        ? `drop the dimension; filter_state.${peer}.version is the workload's version label, not its Istio version`
        : `drop the dimension, or read one of ${NEW_PEER_FIELDS}`,
  };
}

/**
 * `expression` in the target release's vocabulary, for `field` of construct `scope`; throws the
 * refusals (with the reason and the alternative) when part of it has no equivalent.
 */
export function celForTarget(scope: IConstruct, field: string, expression: string, policy: VersionPolicy): string {
  const translated = translateCel(expression, policy);
  if (!translated.refusals) return translated.expression;
  throw new ObservabilityConfigError(
    scope,
    translated.refusals.map((r) =>
      problem(field, expression, `a CEL expression Istio ${policy.version} can evaluate`, {
        what: r.what,
        hint: r.hint,
      }),
    ),
  );
}
