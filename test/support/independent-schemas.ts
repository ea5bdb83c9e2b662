import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';

/**
 * A schema check of emitted objects that is not our validator: the model classes of
 * kubernetes-models (Kubernetes 1.3x OpenAPI) and @kubernetes-models/prometheus-operator, each an
 * ajv validator compiled when that package was built, and for Istio kinds the newest Istio
 * release's own CRDs as istio/istio ships them (../shared/crds/istio-<tag>/crd-all.gen.yaml, read
 * here, never copied), compiled by an ajv of this test's own rather than our precompiled bundle.
 * (@kubernetes-models/istio was that check until its releases for Istio 1.22+ required Node 22.)
 */

type ModelClass = new (data: unknown) => { validate(): void };

const SHARED_CRDS = resolve(__dirname, '..', '..', '..', 'shared', 'crds');

/** The `group/version/Kind` → openAPIV3Schema map of the newest Istio CRDs beside the repository. */
let istioSchemas: Map<string, object> | undefined;

function istioSchema(key: string): object | undefined {
  if (!istioSchemas) {
    istioSchemas = new Map();
    const newest = readdirSync(SHARED_CRDS)
      .filter((d) => d.startsWith('istio-'))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .at(-1);
    if (!newest) throw new Error(`no Istio CRDs in ${SHARED_CRDS}`);
    const text = readFileSync(join(SHARED_CRDS, newest, 'crd-all.gen.yaml'), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJS() as {
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema?: { openAPIV3Schema: object } }[];
        };
      } | null;
      for (const version of crd?.spec?.versions ?? []) {
        if (version.schema) {
          istioSchemas.set(
            `${crd?.spec?.group}/${version.name}/${crd?.spec?.names.kind}`,
            version.schema.openAPIV3Schema,
          );
        }
      }
    }
  }
  return istioSchemas.get(key);
}

const crdAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** A model class over the Istio CRD schema of `key`, shaped like kubernetes-models' classes. */
function crdModel(key: string): ModelClass | undefined {
  const schema = istioSchema(key);
  if (!schema) return undefined;
  const validate = crdAjv.compile(schema);
  return class {
    constructor(private readonly data: unknown) {}
    validate(): void {
      if (!validate(this.data)) throw new Error(crdAjv.errorsText(validate.errors));
    }
  };
}

/**
 * Kinds no independent schema exists for: the Kiali CR (the operator publishes no CRD schema) and
 * the IstioOperator, whose CRD, while Istio shipped one, took any spec
 * (istio/istio@1.20.8:manifests/charts/base/crds/crd-operator.yaml, x-kubernetes-preserve-unknown-fields).
 */
export const UNCHECKED_KINDS: ReadonlySet<string> = new Set([
  'kiali.io/v1alpha1/Kiali',
  'install.istio.io/v1alpha1/IstioOperator',
]);

const models = new Map<string, ModelClass | undefined>();

function modulePath(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key) && apiVersion.split('/')[0]?.endsWith('.istio.io')) {
    models.set(key, crdModel(key));
  }
  if (!models.has(key)) {
    try {
      const module = (await import(modulePath(apiVersion, kind))) as Record<string, unknown>;
      models.set(key, typeof module[kind] === 'function' ? (module[kind] as ModelClass) : undefined);
    } catch {
      models.set(key, undefined);
    }
  }
  return models.get(key);
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * The independent schema's complaint about `manifest`, undefined when it passes.
 * @throws when no independent schema exists for a kind outside {@link UNCHECKED_KINDS}
 */
export async function independentSchemaProblem(manifest: Manifest): Promise<string | undefined> {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  if (UNCHECKED_KINDS.has(key)) return undefined;
  const Model = await modelFor(manifest.apiVersion, manifest.kind);
  if (!Model) throw new Error(`no independent schema for ${key}`);
  try {
    new Model(manifest).validate();
    return undefined;
  } catch (error) {
    return `${key} ${manifest.metadata.name}: ${(error as Error).message}`;
  }
}
