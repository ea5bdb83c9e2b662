import { GATEWAY_API_GROUP, GATEWAY_NAME_LABEL, WAYPOINT_GATEWAY_CLASS } from '../../core/istio/istio-names';
import { isMapping, listOf, mappingAt } from '../../core/json-values';
import { problem, statement } from '../../core/problems/problem';
import { ambientModel } from '../../model/ambient';
import { describeTelemetry, type TelemetryPolicy, telemetryIndex } from '../../model/telemetry-precedence';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

const ATTACHMENT = 'istio/istio@1.24.0:pilot/pkg/model/policyattachment.go';

/**
 * Telemetry that no proxy of an ambient data plane applies, found from the objects alone (so it
 * holds for hand-written ones too), as Kiali's `telemetry.ambient` validations and istioctl's
 * IST0166 (IneffectiveSelector, istio/istio@1.24.0:pkg/config/analysis/analyzers/k8sgateway/
 * workloadselector.go) find it:
 *
 * - a `selector` in an ambient namespace: ztunnel and waypoints never read a selector policy
 *   (policyattachment.go lines 111-121), so it reaches only pods that still run a sidecar there;
 * - a `selector` matching a waypoint's pods (their `gateway.networking.k8s.io/gateway-name` label):
 *   IST0166;
 * - `targetRefs` to a Service no waypoint serves, by the labels of the Service or its Namespace;
 * - the 1.30.3 change (istio/istio#60665): a waypoint in another namespace than a Service's reads
 *   that Service's namespace from 1.30.3, and no longer its own namespace's Gateway-bound Telemetry
 *   for that Service; before 1.30.3 it reads only its own namespace, so a Service-bound Telemetry
 *   of the Service's namespace is not applied.
 *
 * And a waypoint's Gateway without the HBONE listener on 15008 that istiod deploys waypoints with
 * (istio/istio@1.24.0:istioctl/pkg/waypoint/waypoint.go lines 76-111).
 */
export const waypointTelemetryRule: AppRule = {
  id: 'waypoint-telemetry',
  summary:
    'Telemetry reaches the proxies of an ambient data plane: no selector in an ambient namespace or on a waypoint (IST0166), no targetRefs to a Service no waypoint serves, none bound where a cross-namespace waypoint does not read it (istio/istio#60665, changed in 1.30.3); a waypoint Gateway listens for HBONE on 15008.',
  remediation:
    "Bind Telemetry for ambient workloads with spec.targetRefs to their Service or to their waypoint's Gateway, in the namespace the waypoint reads on your release.",
  kinds: ['Telemetry', 'Gateway', 'Namespace', 'Service'],
  severity: 'warning',
  docs: 'docs/validation.md#waypoint-telemetry',
  check(context: ValidationContext): RuleFinding[] {
    const ambient = ambientModel(context.objects);
    const policy = context.targets[0]?.policy;
    const index = telemetryIndex(context.objects, policy);
    const findings: RuleFinding[] = [];
    for (const waypoint of ambient.waypoints) {
      const listeners = listOf(mappingAt(waypoint.object.manifest, 'spec').listeners).filter(isMapping);
      const denied = ambient.crossNamespaceUsers(waypoint).filter((u) => !ambient.admits(waypoint, u.namespace));
      if (denied.length > 0) {
        findings.push({
          path: waypoint.object.path,
          severity: 'error',
          ...statement(
            ['spec', 'listeners'],
            `do not admit ${denied.map((u) => u.user).join(', ')}, which send${denied.length === 1 ? 's' : ''} traffic through this waypoint (the HBONE listener's allowedRoutes.namespaces is Same unless it says otherwise): istiod refuses the attachment, and that traffic bypasses the waypoint (istio/istio@1.24.0:pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go lines 112-113, 130-131, 375-393)`,
            `admit them: allowedRoutes: { namespaces: { from: Selector, selector: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: In, values: [${[...new Set(denied.map((u) => u.namespace))].join(', ')}] }] } } }, or from: All`,
          ),
        });
      }
      if (listeners.some((l) => l.protocol === 'HBONE' && l.port === 15008)) continue;
      findings.push({
        path: waypoint.object.path,
        severity: 'error',
        ...problem(['spec', 'listeners'], listeners, 'a listener { name: mesh, port: 15008, protocol: HBONE }', {
          what: `is the Gateway of a waypoint (gatewayClassName ${WAYPOINT_GATEWAY_CLASS}), which takes the mesh's traffic over HBONE on port 15008`,
          hint: 'istioctl waypoint generate writes it (istio/istio@1.24.0:istioctl/pkg/waypoint/waypoint.go)',
        }),
      });
    }
    if (!ambient.present) return findings;
    for (const telemetry of index.policies) findings.push(...telemetryFindings(telemetry, ambient, policy));
    return findings;
  },
};

function telemetryFindings(
  telemetry: TelemetryPolicy,
  ambient: ReturnType<typeof ambientModel>,
  policy: ValidationContext['targets'][number]['policy'] | undefined,
): RuleFinding[] {
  const path = telemetry.object.path;
  const findings: RuleFinding[] = [];
  const name = describeTelemetry(telemetry);
  if (telemetry.selector) {
    const waypoint = ambient.waypoints.find(
      (w) => w.namespace === telemetry.namespace && telemetry.selector?.[GATEWAY_NAME_LABEL] === w.name,
    );
    if (waypoint) {
      findings.push({
        path,
        ...problem(['spec', 'selector'], { matchLabels: telemetry.selector }, 'spec.targetRefs', {
          what: `selects the pods of waypoint ${waypoint.namespace}/${waypoint.name}, which ignore selector policies (istioctl analyze IST0166 IneffectiveSelector; ${ATTACHMENT} lines 111-121)`,
          hint: `bind it instead: targetRefs: [{ group: ${GATEWAY_API_GROUP}, kind: Gateway, name: ${waypoint.name} }]`,
        }),
      });
    } else if (ambient.namespaceIsAmbient(telemetry.namespace)) {
      findings.push({
        path,
        ...problem(
          ['spec', 'selector'],
          { matchLabels: telemetry.selector },
          'spec.targetRefs in an ambient namespace',
          {
            what: `selects pods of namespace ${telemetry.namespace}, which is ambient: ztunnel and waypoints read no selector policy (${ATTACHMENT} lines 111-121), so only pods that run a sidecar there get it`,
            hint: 'bind it to the workload\'s Service (targetRefs: [{ group: "", kind: Service, name: <service> }]) or to its waypoint\'s Gateway',
          },
        ),
      });
    }
  }
  const crossNamespace = policy === undefined || policy.has('waypointServiceNamespaceTelemetry');
  telemetry.targetRefs.forEach((ref, i) => {
    const group = String(ref.group ?? '');
    const listed = listOf(mappingAt(telemetry.object.manifest, 'spec').targetRefs).length > 0;
    const field = listed ? ['spec', 'targetRefs', i] : ['spec', 'targetRef'];
    if (ref.kind === 'Service' && group === '' && typeof ref.name === 'string') {
      const waypoint = ambient.waypointOfService(telemetry.namespace, ref.name);
      if (waypoint === 'none') {
        findings.push({
          path,
          ...problem(field, ref, 'a Service a waypoint serves', {
            what: `binds ${name} to Service ${telemetry.namespace}/${ref.name}, which no waypoint serves (no istio.io/use-waypoint on it or its Namespace): no proxy applies it (sidecars never read a targetRefs policy, ${ATTACHMENT} lines 102-107)`,
            hint: 'attach a waypoint to the Service or its namespace (istio.io/use-waypoint), or select the pods if they run a sidecar',
          }),
        });
      } else if (waypoint !== 'unknown' && waypoint.namespace !== telemetry.namespace && !crossNamespace) {
        findings.push({
          path,
          ...problem(
            field,
            ref,
            `a waypoint in namespace ${telemetry.namespace}, on Istio ${policy?.version.release}`,
            {
              what: `binds ${name} to Service ${telemetry.namespace}/${ref.name}, whose waypoint ${waypoint.namespace}/${waypoint.name} (${waypoint.attachedBy}) reads only the Telemetry of its own namespace before Istio 1.30.3: it is not applied (istio/istio#60665)`,
              hint: `move the waypoint into namespace ${telemetry.namespace}, bind the Telemetry to the waypoint's Gateway in namespace ${waypoint.namespace}, or upgrade to 1.30.3`,
            },
          ),
        });
      }
    }
    if (ref.kind === 'Gateway' && group !== GATEWAY_API_GROUP) {
      findings.push({
        path,
        ...problem([...field, 'group'], ref.group ?? null, GATEWAY_API_GROUP, {
          what: `binds ${name} to a Gateway in another group: istiod reads a missing group as the core group, which has no Gateway, so nothing applies it (istio/istio@1.30.3:pkg/config/model.go lines 457-462)`,
        }),
      });
    }
    if (ref.kind === 'Gateway' && group === GATEWAY_API_GROUP && crossNamespace) {
      const waypoint = ambient.waypoints.find((w) => w.name === ref.name && w.namespace === telemetry.namespace);
      const users = waypoint ? ambient.crossNamespaceUsers(waypoint).map((u) => u.user) : [];
      if (waypoint && users.length > 0) {
        findings.push({
          path,
          ...statement(
            field,
            `binds ${name} to waypoint ${waypoint.namespace}/${waypoint.name}, which from Istio 1.30.3 applies to the traffic of ${users.join(', ')} the Telemetry of their own namespace instead (istio/istio#60665): this one no longer reaches it`,
            'bind the settings for those Services in their own namespace (a namespace-wide Telemetry, or targetRefs to the Service)',
          ),
        });
      }
    }
  });
  return findings;
}
