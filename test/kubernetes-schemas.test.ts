import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BUNDLED_MODELS, KubernetesSchemas } from '../analysis/schema/kubernetes-schemas';
import { apiGroupOf } from '../core/names';

const GOLDENS = join(__dirname, 'goldens');

/** `apiVersion/kind` of every object in the goldens whose schema is Kubernetes' own (not a CRD's). */
function kubernetesKindsInGoldens(): string[] {
  const kinds = new Set<string>();
  for (const version of readdirSync(GOLDENS)) {
    for (const file of readdirSync(join(GOLDENS, version)).filter((f) => f.endsWith('.k8s.yaml'))) {
      for (const document of parseAllDocuments(readFileSync(join(GOLDENS, version, file), 'utf8'))) {
        const object = document.toJS() as { apiVersion: string; kind: string } | null;
        if (!object) continue;
        const group = apiGroupOf(object.apiVersion);
        if (group === '' || group === 'apps' || group.endsWith('.k8s.io'))
          kinds.add(`${object.apiVersion}/${object.kind}`);
      }
    }
  }
  return [...kinds].sort();
}

describe('Kubernetes schemas imported by name (bundled into the packaged bin)', () => {
  it('cover every Kubernetes kind the goldens hold', () => {
    const kinds = kubernetesKindsInGoldens();
    expect(kinds).toEqual([
      'apps/v1/Deployment',
      'networking.k8s.io/v1/NetworkPolicy',
      'v1/ConfigMap',
      'v1/Service',
      'v1/ServiceAccount',
    ]);
    expect(kinds.filter((kind) => !(kind in BUNDLED_MODELS))).toEqual([]);
  });

  it.each(Object.keys(BUNDLED_MODELS))('%s exports the model class of its kind', async (key) => {
    const kind = key.slice(key.lastIndexOf('/') + 1);
    const module = await BUNDLED_MODELS[key]?.();
    expect(typeof module?.[kind]).toBe('function');
    const schemas = new KubernetesSchemas();
    await schemas.load([key]);
    expect(schemas.knows(key.slice(0, key.lastIndexOf('/')), kind)).toBe(true);
  });

  it('still imports a kind it does not name, by its path', async () => {
    const schemas = new KubernetesSchemas();
    await schemas.load(['batch/v1/CronJob']);
    expect(schemas.knows('batch/v1', 'CronJob')).toBe(true);
    const errors = schemas.errors({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: 5 } } as never);
    expect(errors.map((e) => `${e.instancePath} ${e.message}`)).toEqual([
      '/spec must have required property jobTemplate',
      '/spec/schedule must be string',
    ]);
  });
});
