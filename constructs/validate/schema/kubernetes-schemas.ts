import type { ErrorObject } from 'ajv';

/** What kubernetes-models exposes per kind: a model class whose `validate()` runs an ajv validator. */
type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Kubernetes core objects (Deployment, Service, ConfigMap, ...) checked against the Kubernetes
 * OpenAPI schemas as packaged by `kubernetes-models` (tommy351/kubernetes-models-ts): ajv
 * validators compiled once, when the package was built. The package is ESM-only, so each API
 * version module is loaded once with a dynamic import.
 *
 * Limits (of that package): unknown fields are not refused; cdk8s-plus and the typed k8s imports
 * cannot produce them anyway.
 */
export class KubernetesSchemas {
  private readonly modules = new Map<string, Record<string, unknown> | undefined>();

  /** Loads the model modules of the given `apiVersion`s (`v1`, `apps/v1`, ...); unknown ones are remembered as absent. */
  async load(apiVersions: Iterable<string>): Promise<void> {
    for (const apiVersion of apiVersions) {
      if (this.modules.has(apiVersion)) continue;
      try {
        this.modules.set(apiVersion, (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>);
      } catch {
        this.modules.set(apiVersion, undefined);
      }
    }
  }

  /** True when `apiVersion`/`kind` is a Kubernetes kind this package knows (after {@link load}). */
  knows(apiVersion: string, kind: string): boolean {
    return typeof this.modules.get(apiVersion)?.[kind] === 'function';
  }

  /** The ajv errors of `manifest`, empty when valid. Call {@link load} for its apiVersion first. */
  errors(manifest: { apiVersion: string; kind: string }): readonly ErrorObject[] {
    const Model = this.modules.get(manifest.apiVersion)?.[manifest.kind] as ModelClass | undefined;
    if (!Model) throw new Error(`no Kubernetes schema loaded for ${manifest.apiVersion}/${manifest.kind}`);
    try {
      new Model(manifest).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: ErrorObject[] }).errors;
      if (!errors) throw error;
      return errors;
    }
  }
}
