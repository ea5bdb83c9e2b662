import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, parse } from '@marcbachmann/cel-js';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { RE2JS } from 're2js';
import { toStrictSchema } from './structural-schema';

/** Where `npm run import` writes the CRD schemas (one JSON file per vendored bundle). */
const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schemas', 'crds');

/** OpenAPI formats used by the vendored CRDs; numbers are range-checked like the API server does. */
function addOpenApiFormats(ajv: Ajv): void {
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
}

interface CelValidationRule {
  readonly rule: string;
  readonly message?: string;
}

/**
 * The CRDs' own CEL rules (`x-kubernetes-validations`), evaluated with @marcbachmann/cel-js the
 * way the API server does, with `self` bound to the value. Rules on transitions (`oldSelf`) and
 * rules that call Kubernetes-only CEL libraries cel-js lacks (`isURL`, `url`) cannot be evaluated
 * here and are left to the API server.
 */
function addCelValidations(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    errors: true,
    compile(rules: readonly CelValidationRule[]) {
      const usable = rules.filter((r) => !/\boldSelf\b/.test(r.rule)).filter((r) => parses(r.rule));
      const validate = (data: unknown): boolean => {
        const errors: Partial<ErrorObject>[] = [];
        for (const { rule, message } of usable) {
          let result: unknown;
          try {
            result = evaluate(rule, { self: data });
          } catch {
            continue; // a function cel-js does not implement: the API server checks it
          }
          if (result === false) {
            errors.push({
              keyword: 'x-kubernetes-validations',
              message: message ?? `failed rule: ${rule}`,
              params: { rule },
            });
          }
        }
        (validate as unknown as { errors: Partial<ErrorObject>[] }).errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });
}

function parses(rule: string): boolean {
  try {
    parse(rule);
    return true;
  } catch {
    return false;
  }
}

/** A new ajv instance set up for Kubernetes schemas (OpenAPI keywords and formats, CRD CEL rules). */
/**
 * CRD `pattern`s are Go regular expressions (the API server uses RE2), which JavaScript's RegExp
 * cannot always compile: the Prometheus Operator's PrometheusRule uses `^(?i)(abort|warn)?$`.
 * re2js evaluates them as the API server does.
 */
function re2Pattern(pattern: string): { test: (value: string) => boolean; toString: () => string } {
  const re = RE2JS.compile(pattern);
  // ajv shares compiled patterns by their string form, so it must be the pattern itself.
  return { test: (value: string) => re.matcher(value).find(), toString: () => pattern };
}
re2Pattern.code = 're2Pattern';

export function kubernetesAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { regExp: re2Pattern } });
  addOpenApiFormats(ajv);
  addCelValidations(ajv);
  return ajv;
}

/**
 * The custom resource schemas of one vendored CRD bundle (e.g. `istio-1.30.3`), compiled with ajv
 * once per `apiVersion`/`kind` on first use and reused for every later object of that kind.
 */
export class CrdSchemas {
  private readonly schemas: Readonly<Record<string, Record<string, unknown>>>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly bundle: string,
    private readonly ajv: Ajv,
  ) {
    this.schemas = JSON.parse(readFileSync(join(SCHEMA_DIR, `${bundle}.json`), 'utf8'));
    this.apiVersions = new Set(Object.keys(this.schemas).map((key) => key.slice(0, key.lastIndexOf('/'))));
  }

  /** The validator for `apiVersion`/`kind`, or undefined when the bundle does not serve it. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const schema = this.schemas[key];
    if (!schema) return undefined;
    const validate = this.ajv.compile(toStrictSchema(schema, apiVersion, kind));
    this.compiled.set(key, validate);
    return validate;
  }

  /** `group/version/Kind` of every served kind, e.g. `telemetry.istio.io/v1/Telemetry`. */
  get keys(): string[] {
    return Object.keys(this.schemas);
  }

  /** `group/version` values the bundle serves, e.g. `telemetry.istio.io/v1`. */
  readonly apiVersions: ReadonlySet<string>;
}
