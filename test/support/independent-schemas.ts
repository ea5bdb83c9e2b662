/**
 * A schema check of emitted objects that is not our validator: the model classes of
 * kubernetes-models (Kubernetes 1.3x OpenAPI), @kubernetes-models/istio (generated from Istio
 * 1.29.2's CRDs, not the 1.30.3 ones we vendor) and @kubernetes-models/prometheus-operator, each an
 * ajv validator compiled when that package was built.
 */

type ModelClass = new (data: unknown) => { validate(): void };

/** Kinds no independent schema exists for: the Kiali CR (the operator publishes no CRD schema). */
export const UNCHECKED_KINDS: ReadonlySet<string> = new Set(['kiali.io/v1alpha1/Kiali']);

const models = new Map<string, ModelClass | undefined>();

function modulePath(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group.endsWith('.istio.io')) return `@kubernetes-models/istio/${apiVersion}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
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
