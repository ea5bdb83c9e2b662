/**
 * What the Kubernetes schemas need beyond JSON Schema, in a form ajv can both run and write out
 * as standalone code (schemas/validators/, see scripts/compile-validators.ts): the generated
 * modules `require` this file for the OpenAPI formats, RE2 patterns and CRD CEL rules.
 */
import { Environment } from '@marcbachmann/cel-js';
import { _, type CodeKeywordDefinition, type Format } from 'ajv';
import { RE2JS } from 're2js';

/** How generated validators import this module (relative to schemas/validators/<bundle>/). */
export const RUNTIME_REQUIRE = '../../../analysis/schema/ajv-runtime';

/** OpenAPI formats used by the vendored CRDs; numbers are range-checked like the API server does. */
export const OPENAPI_FORMATS: Readonly<Record<string, Format>> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  double: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  byte: /^[A-Za-z0-9+/]*={0,2}$/,
  'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i,
};

/**
 * CRD `pattern`s are Go regular expressions (the API server uses RE2), which JavaScript's RegExp
 * cannot always compile: the Prometheus Operator's PrometheusRule uses `^(?i)(abort|warn)?$`.
 * re2js evaluates them as the API server does.
 */
export function re2Pattern(pattern: string): { test: (value: string) => boolean; toString: () => string } {
  const re = RE2JS.compile(pattern);
  // ajv shares compiled patterns by their string form, so it must be the pattern itself.
  return { test: (value: string) => re.matcher(value).find(), toString: () => pattern };
}
re2Pattern.code = `require(${JSON.stringify(RUNTIME_REQUIRE)}).re2Pattern`;

/** A URL as the Kubernetes CEL URL library returns it (k8s.io/apiserver/pkg/cel/library/urls.go). */
class KubernetesUrl {
  constructor(readonly url: URL) {}
}

/**
 * CEL with the part of the Kubernetes CEL libraries the vendored CRDs call: `isURL` and `url()`
 * with `getScheme()` and `getHost()` (the WasmPlugin `url` rule). JavaScript's URL parser stands in
 * for Go's url.Parse: both need a scheme for an absolute URL.
 */
const kubernetesCel = new Environment()
  .registerVariable('self', 'dyn')
  .registerType('k8s.URL', KubernetesUrl)
  .registerFunction('isURL(string): bool', (text: string) => URL.canParse(text))
  .registerFunction('url(string): k8s.URL', (text: string) => new KubernetesUrl(new URL(text)))
  .registerFunction('k8s.URL.getScheme(): string', (u: KubernetesUrl) => u.url.protocol.replace(/:$/, ''))
  .registerFunction('k8s.URL.getHost(): string', (u: KubernetesUrl) => u.url.host);

type Program = (context: { self: unknown }) => unknown;
const programs = new Map<string, Program | undefined>();

function program(rule: string): Program | undefined {
  if (!programs.has(rule)) {
    try {
      // Parsed once per rule; the program is evaluated for every object the rule's schema sees.
      programs.set(rule, kubernetesCel.parse(rule));
    } catch {
      programs.set(rule, undefined);
    }
  }
  return programs.get(rule);
}

/**
 * Whether a CRD CEL rule can be evaluated here: rules on transitions (`oldSelf`) and rules that
 * cel-js cannot parse are left to the API server.
 */
export function isCheckableCelRule(rule: string): boolean {
  return !/\boldSelf\b/.test(rule) && program(rule) !== undefined;
}

/**
 * True when `rule` evaluates to false with `self` bound to `data`, as the API server evaluates
 * it; also when it reads a field the object does not have, an error the API server rejects the
 * object with (a tag UPSERT without a value). A rule calling a library function not provided here
 * is left to the API server.
 */
export function celRuleFails(rule: string, data: unknown): boolean {
  try {
    return program(rule)?.({ self: data }) === false;
  } catch (error) {
    return /^No such key/.test((error as Error).message);
  }
}

interface CelValidationRule {
  readonly rule: string;
  readonly message?: string;
}

/** The CRDs' own CEL rules (`x-kubernetes-validations`), one check per rule, each with its message. */
export const CEL_VALIDATIONS_KEYWORD: CodeKeywordDefinition = {
  keyword: 'x-kubernetes-validations',
  schemaType: 'array',
  error: {
    message: ({ params }) => _`${params.message}`,
    params: ({ params }) => _`{rule: ${params.rule}}`,
  },
  code(cxt) {
    const rules = (cxt.schema as readonly CelValidationRule[]).filter((r) => isCheckableCelRule(r.rule));
    if (rules.length === 0) return;
    const fails = cxt.gen.scopeValue('func', {
      ref: celRuleFails,
      code: _`require(${RUNTIME_REQUIRE}).celRuleFails`,
    });
    for (const { rule, message } of rules) {
      cxt.gen.if(_`${fails}(${rule}, ${cxt.data})`, () =>
        cxt.error(false, { rule: _`${rule}`, message: _`${message ?? `failed rule: ${rule}`}` }),
      );
    }
  },
};

/**
 * The first item of a `x-kubernetes-list-type: map` list whose keys (`x-kubernetes-list-map-keys`)
 * an earlier item has, or of a `set` list equal to an earlier item: the API server refuses the
 * object with "Duplicate value". Its index, or -1. `keyList` is the map keys joined with commas
 * (generated code passes strings).
 */
export function listDuplicateAt(type: string, keyList: string, data: unknown): number {
  const keys = keyList === '' ? [] : keyList.split(',');
  if (!Array.isArray(data) || (type !== 'map' && type !== 'set')) return -1;
  const seen = new Set<string>();
  for (const [i, item] of data.entries()) {
    const identity =
      type === 'map'
        ? JSON.stringify(keys.map((key) => (item as Record<string, unknown> | null)?.[key] ?? null))
        : JSON.stringify(item);
    if (seen.has(identity)) return i;
    seen.add(identity);
  }
  return -1;
}

/** Lists the API server keeps as maps or sets (`x-kubernetes-list-type`): a duplicate is refused. */
export const LIST_TYPE_KEYWORD: CodeKeywordDefinition = {
  keyword: 'x-kubernetes-list-type',
  schemaType: 'string',
  error: {
    message: ({ params }) => _`${params.message}`,
    params: ({ params }) => _`{index: ${params.index}}`,
  },
  code(cxt) {
    const type = cxt.schema as string;
    if (type !== 'map' && type !== 'set') return;
    const keys = (cxt.parentSchema as { 'x-kubernetes-list-map-keys'?: string[] })['x-kubernetes-list-map-keys'];
    const at = cxt.gen.scopeValue('func', {
      ref: listDuplicateAt,
      code: _`require(${RUNTIME_REQUIRE}).listDuplicateAt`,
    });
    const index = cxt.gen.const('dup', _`${at}(${type}, ${(keys ?? []).join(',')}, ${cxt.data})`);
    const what = type === 'map' ? `an item whose ${(keys ?? []).join(', ')} no other item has` : 'each item once';
    cxt.gen.if(_`${index} >= 0`, () => cxt.error(false, { index, message: _`${`Duplicate value: expected ${what}`}` }));
  },
};
