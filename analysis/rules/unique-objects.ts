import { formatValue } from '../../core/errors';
import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { apiGroupOf } from '../../core/names';
import { problem } from '../../core/problems/problem';
import type { RenderedObject } from '../../model/objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * Two objects with one identity (group, kind, namespace, name) are one object to the API server:
 * `kubectl apply` and GitOps engines keep whichever comes last, silently. cdk8s writes both.
 */
export const uniqueObjectsRule: AppRule = {
  id: 'unique-objects',
  scope: 'object',
  summary:
    'No two objects share a group, kind, namespace and name: the cluster would keep only the last one applied (e.g. a bootstrap override ConfigMap named like the scrape config ConfigMap).',
  remediation: 'Rename one of the two objects, or keep only one.',
  kinds: ['*'],
  severity: 'error',
  docs: 'docs/validation.md#unique-objects',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const first = new Map<string, string>();
    for (const object of context.objects) {
      const identity = objectIdentity(object, context.complete);
      if (identity === undefined) continue;
      const earlier = context.earlierIdentities?.get(identity) ?? first.get(identity);
      if (earlier === undefined) {
        first.set(identity, object.path);
        continue;
      }
      const { path, manifest } = object;
      const { name, namespace } = manifest.metadata;
      const where = namespace === undefined ? 'without a namespace' : `in namespace ${formatValue(namespace)}`;
      findings.push({
        path,
        ...problem(['metadata', 'name'], name, `a name no other ${manifest.kind} ${where} has`, {
          what: `${earlier} writes a ${manifest.kind} of this name ${where} too; the cluster would keep only the one applied last`,
        }),
        hint: 'rename one of them',
      });
    }
    return findings;
  },
};

/**
 * What makes two objects one to the API server (group, kind, namespace, name), or undefined for
 * what is no cluster object. When the objects are not `complete`, also the file: files linted on
 * their own may hold alternatives of one object (Istio's samples do), and only one file is
 * applied at a time, so only a collision inside a file counts.
 */
export function objectIdentity(
  { path, manifest, location, patch }: RenderedObject,
  complete: boolean,
): string | undefined {
  if (manifest.kind === ISTIOD_VALUES_KIND || patch) return undefined; // Helm values and patches are no cluster object
  const { name, namespace } = manifest.metadata;
  // Nameless IstioOperators are istioctl's inputs, overlaid in order (istioctl install -f a -f b).
  if (manifest.kind === 'IstioOperator' && name === undefined) return undefined;
  // Versions of a group are one object.
  const unit = complete ? '' : (location?.file ?? path);
  return JSON.stringify([unit, apiGroupOf(manifest.apiVersion), manifest.kind, namespace ?? '', name]);
}
