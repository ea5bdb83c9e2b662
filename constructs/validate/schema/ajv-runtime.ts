/**
 * What the Kubernetes schemas need beyond JSON Schema, in a form ajv can both run and write out
 * as standalone code (schemas/validators/, see scripts/compile-validators.ts): the generated
 * modules `require` this file for the OpenAPI formats, RE2 patterns and CRD CEL rules.
 */
import { parse } from '@marcbachmann/cel-js';
import { _, type CodeKeywordDefinition, type Format } from 'ajv';
import { RE2JS } from 're2js';

/** How generated validators import this module (relative to schemas/validators/<bundle>/). */
export const RUNTIME_REQUIRE = '../../../constructs/validate/schema/ajv-runtime';

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

type Program = ReturnType<typeof parse>;
const programs = new Map<string, Program | undefined>();

function program(rule: string): Program | undefined {
  if (!programs.has(rule)) {
    try {
      programs.set(rule, parse(rule));
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
 * it. A rule that calls a Kubernetes-only CEL library cel-js lacks (`isURL`, `url`) throws here
 * and is left to the API server.
 */
export function celRuleFails(rule: string, data: unknown): boolean {
  try {
    return program(rule)?.({ self: data }) === false;
  } catch {
    return false;
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
