// The Pod Security Standards' "restricted" profile as checks on a pod spec, from
// kubernetes.io/docs/concepts/security/pod-security-standards/ (the Baseline controls and the
// Restricted ones), so the backends can be held to it without a cluster's admission controller.
type Json = Record<string, unknown>;
const at = (value: unknown, key: string): unknown => (value as Json | undefined)?.[key];
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Volume types the restricted profile allows. */
const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** Every violation of the restricted profile in `podSpec`, one line each. */
export function restrictedViolations(podSpec: Json): string[] {
  const violations: string[] = [];
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (podSpec[host] === true) violations.push(`${host}: true`);
  }
  for (const volume of list(podSpec.volumes)) {
    const type = Object.keys(volume as Json).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.includes(type)) violations.push(`volume ${String(at(volume, 'name'))}: ${type}`);
  }
  const pod = (podSpec.securityContext ?? {}) as Json;
  const containers = [...list(podSpec.initContainers), ...list(podSpec.containers)] as Json[];
  for (const c of containers) {
    const name = String(c.name);
    const sc = (c.securityContext ?? {}) as Json;
    if (sc.privileged === true) violations.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) violations.push(`${name}: allowPrivilegeEscalation is not false`);
    const drop = list(at(sc.capabilities, 'drop'));
    if (!drop.includes('ALL')) violations.push(`${name}: capabilities do not drop ALL`);
    const add = list(at(sc.capabilities, 'add')).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (add.length > 0) violations.push(`${name}: adds capabilities ${add.join(', ')}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) violations.push(`${name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) violations.push(`${name}: runAsUser 0`);
    const seccomp = at(sc.seccompProfile ?? pod.seccompProfile, 'type');
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      violations.push(`${name}: seccompProfile is ${String(seccomp ?? 'unset')}`);
    }
    for (const port of list(c.ports)) {
      if (at(port, 'hostPort') !== undefined) violations.push(`${name}: hostPort ${String(at(port, 'hostPort'))}`);
    }
  }
  return violations;
}
