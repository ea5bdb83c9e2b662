import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { withoutNullFields } from '../../core/json-values';
import { apiGroupOf } from '../../core/names';
import { problem } from '../../core/problems/problem';
import { isWaypointGateway } from '../../model/ambient';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { describeAjvErrors } from '../schema/ajv-messages';

/**
 * Kinds the constructs write whose CRDs are not vendored, so a synthesized object has no schema
 * here: the constructs check their own props instead. A waypoint's Gateway (Waypoint) is the
 * Gateway API's, whose CRDs the cluster installs for ambient mode (istio.io "Getting Started with
 * Ambient Mode"); another Gateway read from a file is still reported as not schema-checked. The Sail Operator's
 * IstioCNI and ZTunnel are written with fields their CRDs require (AmbientInstall), and only the
 * `Istio` CRD is vendored.
 */
const CONSTRUCT_CHECKED_KINDS: readonly string[] = [
  'gateway.networking.k8s.io/Gateway',
  'sailoperator.io/IstioCNI',
  'sailoperator.io/ZTunnel',
];

/** The API server (or istioctl) refuses what the schema refuses, but only when it is applied. */
export const objectSchemaRule: AppRule = {
  id: 'object-schema',
  scope: 'object',
  summary:
    'Every object matches its schema: custom resources the vendored CRDs, including their CEL rules (unknown fields refused, as kubectl apply does), Kubernetes kinds the Kubernetes OpenAPI schemas (kubernetes-models), the IstioOperator `schemas/istio-operator.schema.json`.',
  remediation:
    'Correct or remove the field the finding names so the object matches its schema; kubectl apply refuses the same object.',
  kinds: ['*'],
  severity: 'error',
  docs: 'docs/validation.md#object-schema',
  check(context: ValidationContext): RuleFinding[] {
    return context.objects.flatMap((object) => {
      const { path, manifest, patch, apiObject } = object;
      // An istiod values file is read for its meshConfig only; the chart checks its own values.
      // A patch is part of an object deployed elsewhere, checked when it is.
      if (manifest.kind === ISTIOD_VALUES_KIND || patch) return [];
      // `match:` or `spec:` left empty is null, which the API server prunes (and istioctl ignores).
      const result = context.schemas.validate(withoutNullFields(manifest) as typeof manifest);
      if (!result.source) {
        const group = apiGroupOf(manifest.apiVersion);
        // What a construct writes of a kind whose CRD is not vendored is checked by the construct.
        if (apiObject && CONSTRUCT_CHECKED_KINDS.includes(`${group}/${manifest.kind}`)) return [];
        // A waypoint's Gateway, from a file too: waypoint-telemetry checks the listener Istio needs.
        if (isWaypointGateway(object)) return [];
        const served = group === '' ? [] : context.schemas.servedIn(group);
        if (served.length > 0) {
          const sameKind = served.filter((key) => key.endsWith(`/${manifest.kind}`));
          const kinds = [...new Set(served.map((key) => key.slice(key.lastIndexOf('/') + 1)))];
          const expected =
            sameKind.length > 0 ? `one of ${sameKind.join(', ')}` : `a kind of ${group}: ${kinds.join(', ')}`;
          return [
            {
              path,
              ...problem(['kind'], `${manifest.apiVersion}/${manifest.kind}`, expected, {
                what: `the vendored CRDs serve no ${manifest.kind} in ${manifest.apiVersion}`,
              }),
            },
          ];
        }
        return [
          {
            path,
            severity: 'warning' as const,
            ...problem(['apiVersion'], manifest.apiVersion, 'a Kubernetes, Istio or Prometheus Operator kind', {
              what: `no schema known for ${manifest.apiVersion} ${manifest.kind}, so it was not schema-checked`,
            }),
          },
        ];
      }
      // The vendored CRDs are the newest release's: a rule the target's own CRD lacks does not apply.
      const kind = `${apiGroupOf(manifest.apiVersion)}/${manifest.kind}`;
      const errors = result.errors.filter(
        (error) =>
          error.keyword !== 'x-kubernetes-validations' ||
          context.targets.some((target) =>
            target.policy.crdHasRule(kind, String((error.params as { rule?: unknown }).rule ?? '')),
          ),
      );
      return describeAjvErrors(errors, manifest).map((found) => ({
        ...found,
        path,
        source: result.source,
      }));
    });
  },
};
