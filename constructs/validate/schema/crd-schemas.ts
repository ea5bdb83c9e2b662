import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { _, type ValidateFunction } from 'ajv';
import { SCHEMAS_DIR } from '../../schemas-dir';
import {
  CEL_VALIDATIONS_KEYWORD,
  LIST_TYPE_KEYWORD,
  OPENAPI_FORMATS,
  RUNTIME_REQUIRE,
  re2Pattern,
} from './ajv-runtime';
import { precompiled } from './precompiled';
import { toStrictSchema } from './structural-schema';

/** Where `npm run import` writes the CRD schemas (one JSON file per vendored bundle). */
const SCHEMA_DIR = join(SCHEMAS_DIR, 'crds');

/**
 * A new ajv instance set up for Kubernetes schemas: OpenAPI formats, RE2 patterns and the CRDs' CEL
 * rules, from ajv-runtime.ts. With `source`, validators keep their code for standaloneCode().
 */
export function kubernetesAjv(options: { readonly source?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    verbose: true,
    code: {
      regExp: re2Pattern,
      source: options.source ?? false,
      formats: _`require(${RUNTIME_REQUIRE}).OPENAPI_FORMATS`,
    },
  });
  for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format);
  ajv.addKeyword(CEL_VALIDATIONS_KEYWORD);
  ajv.addKeyword(LIST_TYPE_KEYWORD);
  return ajv;
}

/**
 * The custom resource schemas of one vendored CRD bundle (e.g. `istio-1.30.3`), loaded once per
 * `apiVersion`/`kind` on first use and reused for every later object of that kind: the standalone
 * validator of schemas/validators/ when there is one, else compiled with ajv.
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
    const validate =
      precompiled(`${this.bundle}/${key.replace(/\//g, '_')}.js`)?.default ??
      this.ajv.compile(toStrictSchema(schema, apiVersion, kind));
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
