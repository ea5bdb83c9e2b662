import { problem } from '../../core/problems/problem';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Istio's API groups end in `.istio.io`. */
function isIstioGroup(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  return slash > 0 && apiVersion.slice(0, slash).endsWith('.istio.io');
}

/**
 * The schemas come from the newest supported release's CRDs, which serve API versions older releases do not:
 * an object must also use an API version its target release serves, or `kubectl apply` fails
 * with "no matches for kind".
 */
export const istioApiVersionRule: AppRule = {
  id: 'istio-api-version',
  scope: 'object',
  summary:
    'Istio objects use an API version the target release serves (e.g. `telemetry.istio.io/v1alpha1` on 1.17; `v1` arrived in 1.22): the cluster refuses other versions with "no matches for kind".',
  remediation:
    'Use an API version the target release serves (the finding lists them), or target a release that serves this one.',
  kinds: ['*'],
  severity: 'error',
  docs: 'docs/validation.md#istio-api-version',
  check(context: ValidationContext): RuleFinding[] {
    const meshes = context.targets;
    return context.objects.flatMap(({ path, manifest }) => {
      if (!isIstioGroup(manifest.apiVersion)) return [];
      // istioctl reads an IstioOperator file whatever its install.istio.io version: it checks only the kind (istio/istio#39932).
      if (manifest.kind === 'IstioOperator' && manifest.apiVersion.startsWith('install.istio.io/')) return [];
      return meshes
        .filter((mesh) => !mesh.policy.mechanisms.istioApiVersions.includes(manifest.apiVersion))
        .map((mesh) => {
          const group = manifest.apiVersion.slice(0, manifest.apiVersion.indexOf('/'));
          const served = mesh.policy.mechanisms.istioApiVersions.filter((v) => v.startsWith(`${group}/`));
          return {
            path,
            ...problem(
              ['apiVersion'],
              manifest.apiVersion,
              served.length > 0
                ? `one of ${served.join(', ')}`
                : `none of ${group}: Istio ${mesh.istioVersion} has no such API group`,
              { what: `not served by Istio ${mesh.istioVersion}` },
            ),
          };
        });
    });
  },
};
