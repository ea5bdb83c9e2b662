// Workloads other teams own: their own pod annotations survive our patch, and a workload outside
// the mesh is neither targeted nor claimed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatFinding, validateApp } from '../app/validate';
import { IstioMesh, ProxyTarget, StatsInclusion, TraceSampling, WorkloadKind, WorkloadRef } from '../constructs';
import { testApp } from './support/app';
import { configCases } from './support/config-cases';

const ROOT = join(__dirname, '..');
const { synthFiles, refusal, remove } = configCases('shared-');
afterAll(remove);

const TEAM_STATEFULSET = (annotations: string[]) =>
  [
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata: { name: payments }',
    'spec:',
    '  serviceName: payments',
    '  selector: { matchLabels: { app: payments } }',
    '  template:',
    '    metadata:',
    '      labels: { app: payments }',
    '      annotations:',
    ...annotations.map((line) => `        ${line}`),
    '    spec: { containers: [{ name: payments, image: shop/payments:2.1 }] }',
    '',
  ].join('\n');

describe("a team's own pod annotations", () => {
  it('are kept: kubectl kustomize of their kustomization with our Component has every key of theirs and ours', () => {
    // examples/teams/ratings deploys examples/platform's ratings with its own proxy.istio.io/config.
    const built = parse(
      execFileSync('kubectl', ['kustomize', join(ROOT, 'examples/teams/ratings')], { encoding: 'utf8' }),
    );
    expect(built.metadata.namespace).toBe('bookinfo');
    expect(parse(built.spec.template.metadata.annotations['proxy.istio.io/config'])).toEqual({
      holdApplicationUntilProxyStarts: true,
      proxyStatsMatcher: { inclusionPrefixes: ['cluster.outbound|27017||mongodb.bookinfo'] },
      terminationDrainDuration: '30s',
    });
  });

  it('in JSON form, as the Istio docs write them, are merged too, and the patch says what it carries', async () => {
    const { dir, out } = await synthFiles({
      'observability.yaml': [
        'istioVersion: "1.28"',
        'namespace: payments',
        'workloads:',
        '  payments: { selector: { app: payments }, kind: StatefulSet, manifest: team/statefulset.yaml }',
        'statsInclusion: { p: { target: { workload: payments }, inclusionSuffixes: [upstream_rq_timeout] } }',
        '',
      ].join('\n'),
      'team/statefulset.yaml': TEAM_STATEFULSET([
        `proxy.istio.io/config: '{ "holdApplicationUntilProxyStarts": true, "concurrency": 2 }'`,
        'team.example/owner: payments',
      ]),
      'team/kustomization.yaml': 'namespace: payments\nresources: [statefulset.yaml]\ncomponents: [../out/patches]\n',
    });
    expect(out['patches/payments-statefulset-payments.yaml']?.split('\n').slice(0, 4)).toEqual([
      '# Generated for StatefulSet payments/payments; do not edit.',
      "# A strategic merge patch sets an annotation's whole value: proxy.istio.io/config.",
      '# They include what team/statefulset.yaml:10 sets (proxy.istio.io/config: holdApplicationUntilProxyStarts, concurrency);',
      '# synthesize again when it changes.',
    ]);
    const built = parse(execFileSync('kubectl', ['kustomize', join(dir, 'team')], { encoding: 'utf8' }));
    expect(built.spec.template.metadata.annotations).toEqual({
      'proxy.istio.io/config':
        'concurrency: 2\nholdApplicationUntilProxyStarts: true\nproxyStatsMatcher:\n  inclusionSuffixes:\n    - upstream_rq_timeout\n',
      'team.example/owner': 'payments',
    });
    expect(out['REPORT.md']).toContain('| merged in, from team/statefulset.yaml:10 |');
  });

  it('that conflict with ours are refused, naming both values and where each is set', async () => {
    const lines = await refusal({
      'observability.yaml': [
        'istioVersion: "1.17"',
        'namespace: payments',
        'workloads:',
        '  payments: { selector: { app: payments }, kind: StatefulSet, manifest: team/statefulset.yaml }',
        'traceSampling: { s: { target: { workload: payments }, percentage: 10 } }',
        'bootstrapOverrides:',
        '  b: { workloads: [payments], zipkin: { collectorAddress: "zipkin.tracing:9411", collectorCluster: jaeger-zipkin, collectorEndpoint: /api/v2/spans } }',
        '',
      ].join('\n'),
      'team/statefulset.yaml': TEAM_STATEFULSET([
        'proxy.istio.io/config: "tracing: { sampling: 5 }"',
        'sidecar.istio.io/bootstrapOverride: team-bootstrap',
      ]),
    });
    expect(lines).toEqual([
      'observability.yaml:7:3 [payments/b] sidecar.istio.io/bootstrapOverride of StatefulSet "payments" is set to "team-bootstrap" by team/statefulset.yaml:10 (the workload\'s own manifest) and to "payments-b" by payments/b; a pod reads one bootstrap override',
      'observability.yaml:5:18 [payments/s] proxy.istio.io/config of StatefulSet "payments": tracing.sampling is set to 5 by team/statefulset.yaml:10 (the workload\'s own manifest) and to 10 by payments/s; set it in one place',
    ]);
  });

  it('are refused unread when the manifest holds no such workload, naming what it looked for', async () => {
    const lines = await refusal({
      'observability.yaml': [
        'istioVersion: "1.28"',
        'namespace: payments',
        'workloads:',
        '  payments: { selector: { app: payments }, manifest: team/statefulset.yaml }',
        '',
      ].join('\n'),
      'team/statefulset.yaml': TEAM_STATEFULSET(['a: b']),
    });
    expect(lines).toEqual([
      'observability.yaml:4:44 [payments/workloads/payments] manifest: has no Deployment payments/payments (got "team/statefulset.yaml", expected a file or folder holding Deployment payments/payments once)',
    ]);
  });

  it('are replaced when the manifest is not read, and the patch and REPORT.md say so', async () => {
    const { out } = await synthFiles({
      'observability.yaml': [
        'istioVersion: "1.28"',
        'namespace: payments',
        'workloads: { payments: { selector: { app: payments } } }',
        'statsInclusion: { p: { target: { workload: payments }, inclusionSuffixes: [upstream_rq_timeout] } }',
        '',
      ].join('\n'),
    });
    expect(out['patches/payments-deployment-payments.yaml']?.split('\n').slice(0, 4)).toEqual([
      '# Generated for Deployment payments/payments; do not edit.',
      "# A strategic merge patch sets an annotation's whole value: proxy.istio.io/config.",
      '# Whatever value the workload sets for these itself is replaced, not merged. Declare its manifest',
      '# (workloads.payments.manifest) to keep its keys: they are then merged here, and checked.',
    ]);
    expect(out['REPORT.md']).toContain('| **replaced** (not read) |');
  });
});

describe('a workload outside the mesh (sidecar: false)', () => {
  const CONFIG = [
    'istioVersion: "1.28"',
    'namespace: ops',
    'workloads:',
    '  api: { selector: { app: api } }',
    '  node-agent: { kind: DaemonSet, selector: { app: node-agent }, sidecar: false, inject: false }',
    'traceSampling: { ops: { target: { namespace: ops }, percentage: 5 } }',
  ];

  it('is listed outside the mesh, claims nothing of its namespace, and its patch turns injection off', async () => {
    const { out } = await synthFiles({ 'observability.yaml': `${CONFIG.join('\n')}\n` });
    const report = out['REPORT.md'] ?? '';
    expect(report).toContain('Not meshed (no sidecar), so left out: `ops/DaemonSet/node-agent`.');
    expect(report).not.toContain('### `ops/DaemonSet/node-agent`');
    expect(report).toContain('### `ops/Deployment/api`');
    expect(parse(out['patches/ops-daemonset-node-agent.yaml'] ?? '')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-agent', namespace: 'ops' },
      spec: { template: { metadata: { labels: { 'sidecar.istio.io/inject': 'false' } } } },
    });
  });

  it('is refused as a target, and inject: false is refused for a workload in the mesh', async () => {
    const lines = await refusal({
      'observability.yaml': [
        ...CONFIG.slice(0, 4),
        '  node-agent: { kind: DaemonSet, selector: { app: node-agent }, sidecar: false }',
        '  web: { selector: { app: web }, inject: false }',
        'traceSampling: { n: { target: { workload: node-agent }, percentage: 5 } }',
        '',
      ].join('\n'),
    });
    expect(lines).toEqual([
      'observability.yaml:7:23 [ops/n] target: runs outside the mesh (workloads.node-agent.sidecar: false), so no proxy reads what this sets for it (got "node-agent", expected a workload in the mesh); hint: target the workloads that run a sidecar, or declare its sidecar',
      'observability.yaml:6:34 [ops/workloads/web] inject: turns injection off for a workload declared in the mesh (got false, expected sidecar: false as well)',
    ]);
  });
});

describe('a WorkloadRef outside the mesh (TypeScript)', () => {
  it('is refused as the target of a Telemetry setting and of a pod annotation, once each', async () => {
    const app = testApp();
    const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
      istioVersion: '1.17',
    });
    const ops = new Chart(app, 'ops', { namespace: 'ops' });
    const agent = new WorkloadRef(ops, 'node-agent', {
      name: 'node-agent',
      namespace: 'ops',
      selector: { app: 'node-agent' },
      kind: WorkloadKind.DAEMON_SET,
      sidecar: false,
    });
    new TraceSampling(ops, 'sampling', { mesh, target: ProxyTarget.workload(agent), percentage: 5 });
    new StatsInclusion(ops, 'stats', { mesh, target: ProxyTarget.workload(agent), inclusionSuffixes: ['rq_timeout'] });
    const errors = (await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding);
    expect(errors).toEqual([
      '[ops/sampling] target.workload: DaemonSet "node-agent" runs outside the mesh (sidecar: false), so no proxy reads what this sets for it (got "node-agent", expected a workload in the mesh)',
      '[ops/stats] proxy.istio.io/config of DaemonSet "node-agent" reaches no proxy: the workload runs outside the mesh (sidecar: false)',
    ]);
  });
});
