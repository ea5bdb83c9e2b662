import type { ErrorObject } from 'ajv';
import { apiGroupOf } from '../../core/names';

/**
 * Kinds of the GitOps engines we generate delivery objects for, checked against the models
 * kubernetes-models-ts generates from each project's own CRDs (the same ajv validators).
 */
const MODEL_PACKAGES: Readonly<Record<string, { readonly module: string; readonly source: string }>> = {
  'argoproj.io': {
    module: '@kubernetes-models/argo-cd',
    source: 'the Argo CD CRD schema (@kubernetes-models/argo-cd)',
  },
  'kustomize.toolkit.fluxcd.io': {
    module: '@kubernetes-models/flux-cd',
    source: 'the Flux CRD schema (@kubernetes-models/flux-cd)',
  },
};

/** The module of an `apiVersion/kind` key: `kubernetes-models/apps/v1/Deployment`, `@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet`. */
function modelModule(key: string): string {
  const group = apiGroupOf(key.slice(0, key.lastIndexOf('/')));
  return `${MODEL_PACKAGES[group]?.module ?? 'kubernetes-models'}/${key}`;
}

type ModelModule = Record<string, unknown>;

/**
 * The Kubernetes kinds this library's stacks write, imported by literal name. A bundler follows only
 * literal imports, so the packaged bin carries these validators inside its one file instead of
 * resolving and linking some 150 ESM modules of the package at run time (≈ 100 ms of a cold synth).
 * Any other kind, met by lint, is imported by its path. test/kubernetes-schemas.test.ts holds this
 * list to the kinds the goldens hold.
 */
export const BUNDLED_MODELS: Readonly<Record<string, () => Promise<ModelModule>>> = {
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1/PersistentVolumeClaim': () => import('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1/Secret': () => import('kubernetes-models/v1/Secret'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'networking.k8s.io/v1/NetworkPolicy': () => import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'argoproj.io/v1alpha1/Application': () => import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application'),
  'argoproj.io/v1alpha1/ApplicationSet': () => import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet'),
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': () =>
    import('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization'),
};

/** What kubernetes-models exposes per kind: a model class whose `validate()` runs an ajv validator. */
type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Kubernetes core objects (Deployment, Service, ConfigMap, ...) checked against the Kubernetes
 * OpenAPI schemas as packaged by `kubernetes-models` (tommy351/kubernetes-models-ts): ajv
 * validators compiled once, when the package was built. The package is ESM-only, so each kind's
 * module is loaded once with a dynamic import (only the kinds the app uses).
 *
 * Limits (of that package): unknown fields are not refused; cdk8s-plus and the typed k8s imports
 * cannot produce them anyway.
 */
export class KubernetesSchemas {
  private readonly models = new Map<string, ModelClass | undefined>();

  /** Loads the models of the given `apiVersion`/`kind`s (`apps/v1/Deployment`); unknown ones are remembered as absent. */
  async load(kinds: Iterable<string>): Promise<void> {
    for (const key of kinds) {
      if (this.models.has(key) || !/^[\w./-]+$/.test(key)) continue;
      const kind = key.slice(key.lastIndexOf('/') + 1);
      try {
        const module = await (BUNDLED_MODELS[key]?.() ?? (import(modelModule(key)) as Promise<ModelModule>));
        this.models.set(key, typeof module[kind] === 'function' ? (module[kind] as ModelClass) : undefined);
      } catch {
        this.models.set(key, undefined);
      }
    }
  }

  /** Which package checks `apiVersion`/`kind`, for messages. */
  sourceOf(apiVersion: string): string {
    const model = MODEL_PACKAGES[apiGroupOf(apiVersion)];
    return model ? model.source : 'the Kubernetes schema (kubernetes-models)';
  }

  /** True when `apiVersion`/`kind` is a Kubernetes kind this package knows (after {@link load}). */
  knows(apiVersion: string, kind: string): boolean {
    return this.models.get(`${apiVersion}/${kind}`) !== undefined;
  }

  /** The ajv errors of `manifest`, empty when valid. Call {@link load} for its kind first. */
  errors(manifest: { apiVersion: string; kind: string }): readonly ErrorObject[] {
    const Model = this.models.get(`${manifest.apiVersion}/${manifest.kind}`);
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
