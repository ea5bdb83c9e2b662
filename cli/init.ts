import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MeshInstallMethod } from '../constructs/mesh/istio-install-overlay';
import { isDnsLabel } from '../core/names';
import { VersionPolicy } from '../core/version/version-policy';
import type { Writer } from './writer';

const INSTALL_METHODS: readonly MeshInstallMethod[] = ['helm', 'sail', 'istioctl'];
const NEWEST = VersionPolicy.supportedVersions().at(-1) ?? '1.30';

export const INIT_USAGE =
  'usage: init [--istio-version <X.Y>] [--install helm|sail|istioctl] [--namespace <name>] [--file <path>]\n' +
  `  writes a commented starter observability.yaml for your own mesh (default Istio ${NEWEST}, helm, namespace default)\n` +
  '  whose $schema points into the installed package; then edit it and run synth;\n' +
  '  exit 0 when written, 1 when the file exists (it is never overwritten), 2 on a usage error';

/** `init`: a starter config for a mesh that is not the book's. */
export function runInit(argv: readonly string[], out: Writer = process.stdout, err: Writer = process.stderr): number {
  let values: { 'istio-version'?: string; install?: string; namespace?: string; file?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'istio-version': { type: 'string' },
        install: { type: 'string' },
        namespace: { type: 'string' },
        file: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    err.write(`${(error as Error).message}\n${INIT_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${INIT_USAGE}\n`);
    return 0;
  }
  const istioVersion = values['istio-version'] ?? NEWEST;
  const install = (values.install ?? 'helm') as MeshInstallMethod;
  const namespace = values.namespace ?? 'default';
  const file = values.file ?? 'observability.yaml';
  const problems: string[] = [];
  const policy = VersionPolicy.resolve(istioVersion);
  if (!(policy instanceof VersionPolicy)) {
    problems.push(`--istio-version: got ${JSON.stringify(istioVersion)}, expected ${policy.expected}`);
  }
  if (!INSTALL_METHODS.includes(install)) {
    problems.push(`--install: got ${JSON.stringify(values.install)}, expected one of ${INSTALL_METHODS.join(', ')}`);
  }
  if (!isDnsLabel(namespace)) {
    problems.push(
      `--namespace: got ${JSON.stringify(namespace)}, expected a Kubernetes namespace name (RFC 1123 label)`,
    );
  }
  if (problems.length > 0) {
    err.write(`${problems.join('\n')}\n${INIT_USAGE}\n`);
    return 2;
  }
  if (existsSync(file)) {
    err.write(`${file}: exists; init never overwrites a file (use --file for another path)\n`);
    return 1;
  }
  writeFileSync(file, starterConfig({ istioVersion, install, namespace }));
  out.write(`wrote ${file}; edit it, then: npx cdk8s-istio-observability synth --config ${file} --out dist\n`);
  return 0;
}

/** The starter file: every line a reader needs to make it theirs, and nothing that fails to synthesize. */
export function starterConfig(options: {
  readonly istioVersion: string;
  readonly install: MeshInstallMethod;
  readonly namespace: string;
}): string {
  const { istioVersion, install, namespace } = options;
  return `# yaml-language-server: $schema=./node_modules/cdk8s-istio-observability/schemas/observability.schema.json
# Your mesh's observability, declared once. Reference: docs/config-reference.md in the package.
istioVersion: "${istioVersion}"   # quoted: YAML reads 1.20 as the number 1.2
namespace: ${namespace}            # default namespace of the workloads below
mesh:
  install: ${install}              # istioctl, helm or sail: the form the mesh-wide settings take

# The workloads settings target, deployed by you or another team. Telemetry resources select their
# pods by selector; pod-level settings become patches in dist/patches/ (a kustomize Component).
workloads:
  frontend: { selector: { app: frontend } }   # kind: Deployment (default), StatefulSet, DaemonSet, Rollout
  # payments: { namespace: payments, selector: { app: payments }, kind: StatefulSet }

# A dimension on istio_requests_total: the request's host, for every proxy of the mesh.
metricDimensions:
  request-host:
    metric: requests_total
    dimensions: { request_host: request.host }

# Trace 1% of requests mesh-wide and all of frontend's.
traceSampling:
  mesh-sampling: { target: mesh, percentage: 1 }
  frontend-sampling: { target: { workload: frontend }, percentage: 100 }

# Where spans go: an OpenTelemetry collector (or zipkinTracers for a Zipkin/Jaeger collector).
# openTelemetryTracers:
#   otel: { target: mesh, address: "otel-collector.observability:4317" }

# Monitors, recording rules and dashboards for a kube-prometheus-stack release.
backends:
  prometheus: { release: kps, namespace: monitoring }
`;
}
