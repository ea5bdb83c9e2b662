import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { EnvoyStatsMonitor } from '../constructs/backends/envoy-stats-monitor';
import { Jaeger } from '../constructs/backends/jaeger';
import { JaegerStorage } from '../constructs/backends/jaeger-storage';
import { PrometheusInstance } from '../constructs/backends/prometheus-instance';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { CRD_RELEASE_TAGS } from '../core/version/release-tables.generated';
import { VersionPolicy } from '../core/version/version-policy';
import { type Deviation, JAEGER_DEVIATIONS } from './scenarios';
import { testApp } from './support/app';
import { diff, normalize, objectKey, parseManifests } from './support/semantic';

/**
 * Our Jaeger and envoy-stats PodMonitor against the add-ons Istio ships for each release:
 * istio/istio samples/addons/jaeger.yaml and samples/addons/extras/prometheus-operator.yaml at the
 * release's tag, as vendored in ../shared/addons/istio-<tag>/ (read here, never copied).
 */
const ADDONS = resolve(__dirname, '..', '..', 'shared', 'addons');
type Obj = Record<string, unknown>;

/** Why Jaeger v2's collector configuration differs from the add-on's (1.29 and later). */
const JAEGER_V2_DEVIATIONS: readonly Deviation[] = [
  ...['exporters.jaeger_storage_exporter.trace_storage', 'extensions.jaeger_query.storage.traces'].map((path) => ({
    object: 'ConfigMap/jaeger',
    path: `data["config.yaml"].${path}`,
    why: 'the storage backend is named trace_storage whatever the storage is (the add-on names it badger_storage)',
  })),
  ...['badger_storage', 'trace_storage'].map((name) => ({
    object: 'ConfigMap/jaeger',
    path: `data["config.yaml"].extensions.jaeger_storage.backends.${name}`,
    why: 'the same badger backend under the name trace_storage',
  })),
  ...['extensions.expvar', 'extensions.zpages', 'extensions.remote_sampling', 'service.extensions'].map((path) => ({
    object: 'ConfigMap/jaeger',
    path: `data["config.yaml"].${path}`,
    why: 'no debug endpoints (expvar, zpages) and no remote sampling service: Envoy samples by its own configuration and never asks Jaeger for a strategy',
  })),
  ...['thrift_binary', 'thrift_compact'].map((protocol) => ({
    object: 'ConfigMap/jaeger',
    path: `data["config.yaml"].receivers.jaeger.protocols.${protocol}`,
    why: 'no UDP agent receivers: no Service of the add-on exposes 6831/6832, and Envoy sends Zipkin or OTLP',
  })),
  {
    object: 'ConfigMap/jaeger',
    path: 'data["config.yaml"].processors.batch',
    why: 'an empty mapping where the add-on leaves the value empty (null): the batch processor with its defaults either way',
  },
  {
    object: 'ConfigMap/jaeger',
    path: 'data["config.yaml"].extensions.healthcheckv2.grpc',
    why: 'health over HTTP only: the probes use /status on 13133',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.metadata.annotations["checksum/config"]',
    why: 'a changed configuration rolls the pod: the template carries the configuration hash',
  },
];

/** The /tmp emptyDir is mounted beside the add-on's volumes (v1: data; v2: data and the configuration). */
const MOUNTS = new Set(['spec.template.spec.volumes', 'spec.template.spec.containers[0].volumeMounts']);

function jaegerDeviations(generation: 'v1-all-in-one' | 'v2'): string[] {
  const v1 = JAEGER_DEVIATIONS.filter(
    (d) => generation === 'v1-all-in-one' || (!d.path.endsWith('.env') && !MOUNTS.has(d.path)),
  );
  const v2 =
    generation === 'v2'
      ? [...JAEGER_V2_DEVIATIONS, ...[...MOUNTS].map((path) => ({ path, object: 'Deployment/jaeger' }))]
      : [];
  return [...v1, ...v2].map((d) => `${d.object} ${d.path}`).sort();
}

const releases = VersionPolicy.supportedVersions();

describe.skipIf(!existsSync(ADDONS))("the add-ons of each release's samples/addons", () => {
  it.each(releases)('Istio %s: our Jaeger is the add-on, except for the documented hardening', (version) => {
    const app = testApp();
    const mesh = new IstioMesh(new Chart(app, 'install'), 'mesh', { istioVersion: version });
    const jaeger = new Jaeger(new Chart(app, 'backends'), 'jaeger', {
      mesh,
      storage: JaegerStorage.badgerOnEmptyDir(),
    });
    const ours = new Map(parseManifests(app.synthYaml()).map((o) => [objectKey(o), normalize(o)]));
    const file = join(ADDONS, `istio-${CRD_RELEASE_TAGS[version]}`, 'jaeger.yaml');
    const theirs = parseManifests(readFileSync(file, 'utf8')).map((o) => normalize(o, 'istio-system'));
    // Besides the add-on's objects, ours has a NetworkPolicy (the add-on admits anyone to Jaeger).
    expect([...ours.keys()].sort()).toEqual([...theirs.map(objectKey), 'NetworkPolicy/jaeger'].sort());
    const differences = theirs.flatMap((o) => diff(objectKey(o), ours.get(objectKey(o)), o));
    expect(differences.map((d) => `${d.object} ${d.path}`).sort()).toEqual(jaegerDeviations(jaeger.generation));
  });

  it.each(releases)("Istio %s: our envoy-stats PodMonitor scrapes as the add-on's does", (version) => {
    const app = testApp();
    const mesh = new IstioMesh(new Chart(app, 'install'), 'mesh', { istioVersion: version });
    const prometheus = PrometheusInstance.kubePrometheusStack({ release: 'prom', namespace: 'prometheus' });
    new EnvoyStatsMonitor(new Chart(app, 'backends'), 'monitor', { mesh, prometheus });
    const [ours] = parseManifests(app.synthYaml());
    const file = join(ADDONS, `istio-${CRD_RELEASE_TAGS[version]}`, 'prometheus-operator.yaml');
    const theirs = parseManifests(readFileSync(file, 'utf8')).find((o) => o.kind === 'PodMonitor');
    // The monitor lives with the Prometheus that selects it (metadata: namespace, release label); its spec is the add-on's.
    expect(diff('PodMonitor/envoy-stats-monitor', (ours as Obj).spec, (theirs as Obj).spec)).toEqual([]);
  });
});
