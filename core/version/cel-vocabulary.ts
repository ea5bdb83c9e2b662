import type { ASTNode } from '@marcbachmann/cel-js';
import { formatValue, problem } from '../errors';
import { lazily } from '../lazily';
import type { FieldPath } from '../problems/field-path';
import type { Problem } from '../problems/problem';
import type { VersionPolicy } from './version-policy';

// Loaded when a CEL expression is first parsed (see core/lazily.ts).
const celJs = lazily((): typeof import('@marcbachmann/cel-js') => require('@marcbachmann/cel-js'));

/**
 * Peer metadata fields of the pre-1.24 vocabulary (`upstream_peer.<field>`, the proxy's
 * FlatNode) that have the same meaning under `filter_state.<peer>` from 1.24
 * (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml;
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

/**
 * Pod labels that 1.24+ peer metadata carries as fields of their own, never in `labels`
 * (istio/proxy extensions/common/metadata_object.cc convertStructToWorkloadMetadata, at the commits
 * istio/istio@1.24.0, @1.25.0 and @1.30.3 pin in istio.deps: 739644f8, 4382ac5f, 81864a1c).
 * The `app.kubernetes.io` forms are read into `app` and `version` from 1.30 (81864a1c), ahead of
 * `app` and `version`.
 */
const LABEL_FIELDS: Readonly<Record<string, string>> = {
  app: 'app',
  version: 'version',
  'service.istio.io/canonical-name': 'service',
  'service.istio.io/canonical-revision': 'revision',
};
const QUALIFIED_LABEL_FIELDS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'app',
  'app.kubernetes.io/version': 'version',
};

/** What the mesh tells the translation beyond the target release. */
export interface CelTranslationOptions {
  /**
   * Pod label keys istiod adds to the peer metadata (`PILOT_MX_ADDITIONAL_LABELS`, Istio 1.25+),
   * readable as `filter_state.<peer>.labels['<key>']`.
   * @default - none
   */
  readonly peerLabels?: readonly string[];
  /**
   * Some proxies still run the previous minor release: where that release reads peer metadata in
   * the old vocabulary (1.23 next to a 1.24 control plane), peer reads are guarded with `has()` as
   * the 1.24 upgrade note recommends (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml).
   * @default false
   */
  readonly mixedProxies?: boolean;
}
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
  options: CelTranslationOptions = {},
): CelTranslation {
  if (policy.mechanisms.celVocabulary === 'istio-peer-metadata') return { expression };
  let ast: ASTNode;
  try {
    ast = celJs().parse(expression).ast;
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
    const label = labelAccess(ast, bound);
    if (label) {
      const translated = labelTranslation(label.peer, label.key, policy, options.peerLabels ?? []);
      if (typeof translated === 'string') {
        edits.push({
          start: ast.start,
          end: ast.end,
          text: guarded(label.peer, translated, text(ast), policy, options),
        });
      } else refusals.push({ ...translated, text: text(ast) });
      return;
    }
    const peerField = peerAccess(ast, bound);
    if (peerField) {
      const { peer, field } = peerField;
      const mapped = PEER_FIELDS[field];
      if (mapped) {
        edits.push({
          start: ast.start,
          end: ast.end,
          text: guarded(peer, `filter_state.${peer}.${mapped}`, text(ast), policy, options),
        });
      } else refusals.push(peerRefusal(peer, field, text(ast), policy));
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

/** `upstream_peer.labels['key']` with an unbound peer root and a literal key. */
function labelAccess(ast: ASTNode, bound: ReadonlySet<string>): { peer: string; key: string } | undefined {
  if (ast.op !== '[]') return undefined;
  const [object, key] = ast.args as [ASTNode, ASTNode];
  const labels = peerAccess(object, bound);
  if (labels?.field !== 'labels' || key.op !== 'value' || typeof key.args !== 'string') return undefined;
  return { peer: labels.peer, key: key.args };
}

/**
 * A pod label of the peer in the target's vocabulary: the field that carries it (`app`, `version`,
 * `service`, `revision`), or `labels['key']` where istiod was told to add the label (1.25+).
 */
function labelTranslation(
  peer: string,
  key: string,
  policy: VersionPolicy,
  peerLabels: readonly string[],
): string | Omit<CelRefusal, 'text'> {
  const field = LABEL_FIELDS[key] ?? (policy.has('qualifiedAppLabels') ? QUALIFIED_LABEL_FIELDS[key] : undefined);
  if (field) return `filter_state.${peer}.${field}`;
  const target = `Istio ${policy.version}`;
  if (!policy.has('peerMetadataLabels')) {
    return {
      what: `reads pod label ${formatValue(key)} of the peer, which ${target} does not carry: filter_state.${peer} has ${NEW_PEER_FIELDS} and no labels before 1.25`,
      hint: `read filter_state.${peer}.app or .version, or target Istio 1.25+ and list the label in the mesh's peerMetadataLabels (PILOT_MX_ADDITIONAL_LABELS)`,
    };
  }
  if (peerLabels.includes(key)) return `filter_state.${peer}.labels[${JSON.stringify(key)}]`;
  return {
    what: `reads pod label ${formatValue(key)} of the peer, which ${target} carries only when istiod lists it in PILOT_MX_ADDITIONAL_LABELS; the mesh lists ${peerLabels.length > 0 ? peerLabels.join(', ') : 'none'}`,
    hint: `add ${formatValue(key)} to the mesh's peerMetadataLabels (istio/istio@1.25.0:pilot/pkg/features/telemetry.go)`,
  };
}

/**
 * `translated` (a 1.24+ peer read), or, for a mesh whose proxies may still run the previous
 * minor's vocabulary, `(has(filter_state.<peer>) ? translated : filter_state['wasm.<peer>'].<old>)`:
 * the presence-guarded form of istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml.
 */
function guarded(
  peer: string,
  translated: string,
  original: string,
  policy: VersionPolicy,
  options: CelTranslationOptions,
): string {
  if (!options.mixedProxies || !policy.mechanisms.celVocabularyChanged) return translated;
  const old = original.replace(new RegExp(`^${peer}`), `filter_state['wasm.${peer}']`);
  return `(has(filter_state.${peer}) ? ${translated} : ${old})`;
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
      what: `reads ${text} as a whole, which ${target} has no equivalent for: filter_state.${peer} carries the app, version and canonical labels as fields (${NEW_PEER_FIELDS}) and, from 1.25, only the labels istiod is told to add in labels`,
      hint: `read one label, e.g. ${text}['app'] (it becomes filter_state.${peer}.app)`,
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
    what: `reads ${text}, which ${target} has no equivalent for: peer metadata moved to filter_state.${peer}, whose fields are ${NEW_PEER_FIELDS}, and ${formatValue(field)} is not among them (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)`,
    hint:
      field === 'istio_version'
        ? `drop the dimension; filter_state.${peer}.version is the workload's version label, not its Istio version`
        : `drop the dimension, or read one of ${NEW_PEER_FIELDS}`,
  };
}

/**
 * `expression` in the target release's vocabulary, or the refusals (with the reason and the
 * alternative, at `field`) when part of it has no equivalent.
 */
export function celForTarget(
  field: FieldPath,
  expression: string,
  policy: VersionPolicy,
  options: CelTranslationOptions = {},
): { readonly expression: string } | { readonly problems: readonly Problem[] } {
  const translated = translateCel(expression, policy, [], options);
  if (!translated.refusals) return { expression: translated.expression };
  return {
    problems: translated.refusals.map((r) =>
      problem(field, expression, `a CEL expression Istio ${policy.version} can evaluate`, {
        what: r.what,
        hint: r.hint,
      }),
    ),
  };
}
