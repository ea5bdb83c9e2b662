import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { _, type ValidateFunction } from 'ajv';
import { SCHEMAS_DIR } from '../../core/schemas-dir';
import {
  CEL_VALIDATIONS_KEYWORD,
  LIST_TYPE_KEYWORD,
  OPENAPI_FORMATS,
  RUNTIME_REQUIRE,
  re2Pattern,
} from './ajv-runtime';
import { precompiled, precompiledKeys } from './precompiled';
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
 * The custom resource schemas of one vendored CRD bundle (e.g. `istio-1.31.0-rc.0`), loaded once per
 * `apiVersion`/`kind` on first use and reused for every later object of that kind: the standalone
 * validator of schemas/validators/ when there is one, else compiled with ajv.
 *
 * The kinds a bundle serves are read from its validators' file names, so a synth that finds every
 * validator never parses the bundle's JSON (1.4 MB for the three bundles, a tenth of a cold synth).
 */
export class CrdSchemas {
  private schemaFile?: Readonly<Record<string, Record<string, unknown>>>;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly precompiledKinds: ReadonlySet<string>;

  constructor(
    readonly bundle: string,
    private readonly ajv: Ajv,
  ) {
    this.precompiledKinds = new Set(precompiledKeys(bundle));
    this.keys = (this.precompiledKinds.size > 0 ? [...this.precompiledKinds] : Object.keys(this.schemas())).sort();
    this.apiVersions = new Set(this.keys.map((key) => key.slice(0, key.lastIndexOf('/'))));
  }

  /** The validator for `apiVersion`/`kind`, or undefined when the bundle does not serve it. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const validate = this.precompiledKinds.has(key)
      ? precompiled(`${this.bundle}/${validatorFileStem(key)}.js`)?.default
      : this.compile(key, apiVersion, kind);
    if (!validate) return undefined;
    this.compiled.set(key, validate);
    return validate;
  }

  /** `group/version/Kind` of every served kind, sorted, e.g. `telemetry.istio.io/v1/Telemetry`. */
  readonly keys: readonly string[];

  /** `group/version` values the bundle serves, e.g. `telemetry.istio.io/v1`. */
  readonly apiVersions: ReadonlySet<string>;

  private compile(key: string, apiVersion: string, kind: string): ValidateFunction | undefined {
    const schema = this.schemas()[key];
    return schema ? this.ajv.compile(toStrictSchema(schema, apiVersion, kind)) : undefined;
  }

  private schemas(): Readonly<Record<string, Record<string, unknown>>> {
    this.schemaFile ??= JSON.parse(readFileSync(join(SCHEMA_DIR, `${this.bundle}.json`), 'utf8'));
    return this.schemaFile as Readonly<Record<string, Record<string, unknown>>>;
  }
}

/** `telemetry.istio.io_v1_Telemetry` for `telemetry.istio.io/v1/Telemetry`: a validator's file name. */
export function validatorFileStem(key: string): string {
  return key.replace(/\//g, '_');
}
