import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SCHEMAS_DIR } from '../../core/schemas-dir';
import type { Manifest } from '../../model/objects';
import { CrdSchemas, kubernetesAjv } from './crd-schemas';
import { KubernetesSchemas } from './kubernetes-schemas';
import { precompiled } from './precompiled';

const SCHEMAS = SCHEMAS_DIR;
const ISTIO_OPERATOR_SCHEMA = join(SCHEMAS, 'istio-operator.schema.json');
/** Our own schema for the kiali-operator's CR (no Kiali CRD is vendored). */
const KIALI_SCHEMA = join(SCHEMAS, 'kiali.schema.json');

/** The `$id` of schemas/istio-operator.schema.json, under which ajv registers its `$defs`. */
export const ISTIO_OPERATOR_SCHEMA_ID = 'https://cdk8s-istio-observability/schemas/istio-operator.schema.json';

/** Our own schemas that are checked against, for scripts/compile-validators.ts. */
export const OWN_SCHEMA_FILES: readonly string[] = [ISTIO_OPERATOR_SCHEMA, KIALI_SCHEMA];

/** `own/istio-operator.js` for schemas/istio-operator.schema.json: where its standalone validator is. */
export function ownValidatorFile(schemaFile: string): string {
  return `own/${basename(schemaFile).replace(/\.schema\.json$/, '')}.js`;
}

/** Kinds checked against a schema of this library's own, by `apiVersion/kind`. */
const OWN_SCHEMAS: Readonly<Record<string, string>> = {
  'install.istio.io/v1alpha1/IstioOperator': ISTIO_OPERATOR_SCHEMA,
  'kiali.io/v1alpha1/Kiali': KIALI_SCHEMA,
};

/** Which schema checked an object, for messages. */
export type SchemaSource = string;

export interface SchemaResult {
  /** e.g. `CRD schema istio-1.31.0-rc.0`, or undefined when no schema is known for the kind. */
  readonly source?: SchemaSource;
  readonly errors: readonly ErrorObject[];
}

/** The object's apiVersion and kind, which pick its schema. */
export type ObjectKind = Pick<Manifest, 'apiVersion' | 'kind'>;

/**
 * Every schema an object can be checked against, each compiled once and reused:
 * custom resources against the vendored CRD bundles, Kubernetes kinds against kubernetes-models,
 * and the IstioOperator overlay against this library's own schema (schemas/istio-operator.schema.json).
 */
export class ObjectSchemas {
  /**
   * Schemas for the given CRD bundles (names of files in schemas/crds), ready for objects of the
   * given kinds. Shared by every validation in the process, so each schema is compiled once.
   */
  static async load(crdBundles: readonly string[], kinds: Iterable<ObjectKind>): Promise<ObjectSchemas> {
    const key = crdBundles.join(',');
    let schemas = ObjectSchemas.cache.get(key);
    if (!schemas) {
      const ajv = kubernetesAjv();
      schemas = new ObjectSchemas(
        ajv,
        crdBundles.map((bundle) => new CrdSchemas(bundle, ajv)),
      );
      ObjectSchemas.cache.set(key, schemas);
    }
    await schemas.loadKubernetes(kinds);
    return schemas;
  }

  private static readonly cache = new Map<string, ObjectSchemas>();

  private readonly kubernetes = new KubernetesSchemas();
  private readonly own = new Map<string, ValidateFunction>();

  private constructor(
    private readonly ajv: Ajv,
    private readonly crds: readonly CrdSchemas[],
  ) {}

  /** API versions whose kinds come from CRDs (or our own IstioOperator schema), not from Kubernetes itself. */
  private isCustomResource(apiVersion: string): boolean {
    return (
      Object.keys(OWN_SCHEMAS).some((key) => key.startsWith(`${apiVersion}/`)) ||
      this.crds.some((crd) => crd.apiVersions.has(apiVersion))
    );
  }

  /** Loads the Kubernetes schemas of more kinds. */
  async loadKubernetes(kinds: Iterable<ObjectKind>): Promise<void> {
    const keys = [...kinds].filter((m) => !this.isCustomResource(m.apiVersion)).map((m) => `${m.apiVersion}/${m.kind}`);
    await this.kubernetes.load(new Set(keys));
  }

  validate(manifest: ObjectKind): SchemaResult {
    // istioctl reads an IstioOperator of any install.istio.io version; it checks only the kind (istio/istio#39932).
    const key =
      manifest.kind === 'IstioOperator' && manifest.apiVersion.startsWith('install.istio.io/')
        ? 'install.istio.io/v1alpha1/IstioOperator'
        : `${manifest.apiVersion}/${manifest.kind}`;
    const own = OWN_SCHEMAS[key];
    if (own) return this.run(this.ownValidator(own), manifest, `schemas/${basename(own)}`);
    for (const crd of this.crds) {
      const validate = crd.validatorFor(manifest.apiVersion, manifest.kind);
      if (validate) return this.run(validate, manifest, `the ${crd.bundle} CRD schema`);
    }
    if (this.kubernetes.knows(manifest.apiVersion, manifest.kind)) {
      return { source: this.kubernetes.sourceOf(manifest.apiVersion), errors: this.kubernetes.errors(manifest) };
    }
    return { errors: [] };
  }

  /** The `apiVersion`/`kind`s the CRD bundles serve in `group`, e.g. for `networking.istio.io`. */
  servedIn(group: string): string[] {
    return this.crds.flatMap((crd) => crd.keys.filter((key) => key.startsWith(`${group}/`))).sort();
  }

  /** Validates a value against one definition of the IstioOperator schema, e.g. `ProxyConfig`. */
  validateDefinition(definition: string, value: unknown): readonly ErrorObject[] {
    let validate = precompiled(ownValidatorFile(ISTIO_OPERATOR_SCHEMA))?.[definition];
    if (!validate) {
      this.ownValidator(ISTIO_OPERATOR_SCHEMA); // registers the schema's definitions with ajv
      validate = this.ajv.getSchema(`${ISTIO_OPERATOR_SCHEMA_ID}#/$defs/${definition}`);
    }
    if (!validate) throw new Error(`no definition ${definition} in ${ISTIO_OPERATOR_SCHEMA}`);
    return validate(value) ? [] : (validate.errors ?? []);
  }

  /** One of our own schemas, loaded (or compiled) on first use. */
  private ownValidator(file: string): ValidateFunction {
    let validate = this.own.get(file);
    if (!validate) {
      validate =
        precompiled(ownValidatorFile(file))?.default ?? this.ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
      this.own.set(file, validate);
    }
    return validate;
  }

  private run(validate: ValidateFunction, manifest: ObjectKind, source: string): SchemaResult {
    return { source, errors: validate(manifest) ? [] : [...(validate.errors ?? [])] };
  }
}
