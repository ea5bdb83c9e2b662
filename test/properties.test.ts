import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ConfigFile, ConfigFileError } from '../app/config/config-file';
import type {
  BootstrapOverrideConfig,
  CustomTagConfigEntry,
  ObservabilityConfig,
  TargetConfig,
} from '../app/config/observability-config';
import { OUTPUT_MARKER, outputMarker } from '../app/synth/output-guard';
import { ValidationFailedError } from '../core/problems/finding';
import { VersionPolicy } from '../core/version/version-policy';
import { compact, mutatedDeclaration, validDeclaration } from './support/declarations';
import { independentSchemaProblem, type Manifest } from './support/independent-schemas';
import { SYNTH_PROPERTY_RUNS, SYNTH_PROPERTY_TIMEOUT } from './support/property-runs';
import { readTree, synthDeclaration } from './support/synth';

const RUNS = SYNTH_PROPERTY_RUNS;
const TIMEOUT = SYNTH_PROPERTY_TIMEOUT;
const scratch = mkdtempSync(join(tmpdir(), 'properties-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;

/** Synthesizes `config` as main.ts does and reads the written documents back (as YAML 1.1, as Kubernetes does). */
async function synthesizedDocuments(config: unknown): Promise<{ outdir: string; documents: Manifest[] }> {
  const outdir = join(scratch, `out-${counter++}`);
  await synthDeclaration(config, outdir);
  // The objects: every chart file, and the IstioOperator (an object, though not applied).
  const documents = Object.entries(readTree(outdir))
    .filter(([path]) => path.endsWith('.k8s.yaml') || path === 'install/istio-operator.yaml')
    .flatMap(([, text]) => parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Manifest));
  return { outdir, documents };
}

function find(documents: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest | undefined {
  return documents.find(
    (d) =>
      d.kind === kind && d.metadata.name === name && (namespace === undefined || d.metadata.namespace === namespace),
  );
}

type Json = Record<string, unknown>;
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

/** What Istio reads as ProxyConfig for a target: a workload's annotation, or the mesh's defaultConfig. */
function proxyConfigOf(documents: readonly Manifest[], target: TargetConfig, namespace: string): Json | undefined {
  if (target === 'mesh') {
    const operator = documents.find((d) => d.kind === 'IstioOperator');
    return at(operator, 'spec', 'meshConfig', 'defaultConfig') as Json | undefined;
  }
  if (!('workload' in target)) return undefined;
  const deployment = find(documents, 'Deployment', target.workload, namespace);
  const text = at(deployment, 'spec', 'template', 'metadata', 'annotations', 'proxy.istio.io/config');
  return typeof text === 'string' ? (parse(text, { version: '1.1' }) as Json) : undefined;
}

/** The Telemetry resource that holds a target's settings. */
function telemetryOf(documents: readonly Manifest[], target: TargetConfig, namespace: string): Json | undefined {
  if (target === 'mesh') return find(documents, 'Telemetry', 'mesh-default', 'istio-system');
  if ('namespace' in target) return find(documents, 'Telemetry', 'namespace-default', target.namespace);
  if ('waypoint' in target) return find(documents, 'Telemetry', target.waypoint, namespace);
  return find(documents, 'Telemetry', target.workload, namespace);
}

function expectedTag(tag: CustomTagConfigEntry): Json {
  if (tag.literal !== undefined) return { literal: { value: tag.literal } };
  if (tag.environment !== undefined) return { environment: { name: tag.environment } };
  if (tag.header !== undefined) {
    return {
      header: { name: tag.header, ...(tag.defaultValue !== undefined ? { defaultValue: tag.defaultValue } : {}) },
    };
  }
  return { formatter: { value: tag.formatter } };
}

/** The bootstrap override a declaration asks for, written out by hand from Envoy's field names. */
function expectedBootstrap(override: BootstrapOverrideConfig): Json {
  const result: Json = {};
  /** A STRICT_DNS cluster to `host:port`, as Envoy's Cluster proto-JSON names it. */
  const cluster = (name: string, address: string) => {
    const [host, port] = address.split(':');
    return {
      name,
      type: 'STRICT_DNS',
      connectTimeout: '1s',
      loadAssignment: {
        clusterName: name,
        endpoints: [
          { lbEndpoints: [{ endpoint: { address: { socketAddress: { address: host, portValue: Number(port) } } } }] },
        ],
      },
    };
  };
  // The zipkin part comes first in the combined override, then statsd.
  const clusters = [
    ...(override.zipkin?.collectorAddress !== undefined
      ? [cluster(override.zipkin.collectorCluster, override.zipkin.collectorAddress)]
      : []),
    ...(override.statsd ? [cluster('statsd', override.statsd.address)] : []),
  ];
  if (clusters.length > 0) result.staticResources = { clusters };
  if (override.zipkin) {
    const { collectorAddress: _, ...zipkin } = override.zipkin;
    result.tracing = {
      http: {
        name: 'envoy.tracers.zipkin',
        typedConfig: { '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig', ...zipkin },
      },
    };
  }
  if (override.statsd) {
    result.statsSinks = [
      {
        name: 'envoy.stat_sinks.statsd',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.config.metrics.v3.StatsdSink',
          tcpClusterName: 'statsd',
          ...(override.statsd.prefix !== undefined ? { prefix: override.statsd.prefix } : {}),
        },
      },
    ];
  }
  return result;
}

/** The attributegen plugin configs: a WasmPlugin's pluginConfig, or the JSON string inside the 1.17 EnvoyFilter. */
function attributeGenConfigs(documents: readonly Manifest[]): Json[] {
  return documents.flatMap((d) => {
    if (d.kind === 'WasmPlugin') return [at(d, 'spec', 'pluginConfig') as Json];
    if (d.kind !== 'EnvoyFilter') return [];
    const patches = (at(d, 'spec', 'configPatches') as Json[] | undefined) ?? [];
    return patches.flatMap((p) => {
      const text = at(p, 'patch', 'value', 'typed_config', 'value', 'config', 'configuration', 'value');
      return typeof text === 'string' && text.includes('output_attribute') ? [JSON.parse(text) as Json] : [];
    });
  });
}

/** Every round-trip problem of one synthesized declaration; empty when everything reads back as declared. */
function roundTripProblems(config: ObservabilityConfig, documents: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    try {
      expect(actual).toEqual(expected);
    } catch {
      problems.push(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };
  const policy = VersionPolicy.resolve(String(config.istioVersion)) as VersionPolicy;
  const telemetryTracing = (config.mesh?.tracing ?? policy.mechanisms.defaultTracing) === 'telemetry-api';
  const ns = config.namespace;

  for (const [id, s] of Object.entries(config.statsInclusion ?? {})) {
    const { target, ...lists } = s;
    check(`statsInclusion.${id}`, proxyConfigOf(documents, target, ns)?.proxyStatsMatcher, lists);
  }
  for (const [id, t] of Object.entries(config.customTraceTags ?? {})) {
    const expected = Object.fromEntries(Object.entries(t.tags).map(([name, tag]) => [name, expectedTag(tag)]));
    const actual = telemetryTracing
      ? at((at(telemetryOf(documents, t.target, ns), 'spec', 'tracing') as Json[] | undefined)?.[0], 'customTags')
      : at(proxyConfigOf(documents, t.target, ns), 'tracing', 'customTags');
    check(`customTraceTags.${id}`, actual, expected);
  }
  for (const [id, s] of Object.entries(config.traceSampling ?? {})) {
    const actual = telemetryTracing
      ? at(
          (at(telemetryOf(documents, s.target, ns), 'spec', 'tracing') as Json[] | undefined)?.[0],
          'randomSamplingPercentage',
        )
      : at(proxyConfigOf(documents, s.target, ns), 'tracing', 'sampling');
    check(`traceSampling.${id}`, actual, s.percentage);
  }
  for (const [id, override] of Object.entries(config.bootstrapOverrides ?? {})) {
    for (const workload of override.workloads) {
      const deployment = find(documents, 'Deployment', workload, ns);
      const name = at(deployment, 'spec', 'template', 'metadata', 'annotations', 'sidecar.istio.io/bootstrapOverride');
      const text = at(find(documents, 'ConfigMap', String(name), ns), 'data', 'custom_bootstrap.json');
      check(
        `bootstrapOverrides.${id} (${workload})`,
        typeof text === 'string' ? JSON.parse(text) : text,
        expectedBootstrap(override),
      );
    }
  }
  for (const [id, a] of Object.entries(config.accessLogging ?? {})) {
    const target = a.target ?? 'mesh';
    const entry = (at(telemetryOf(documents, target, ns), 'spec', 'accessLogging') as Json[] | undefined)?.[0];
    const expected = a.disabled
      ? { disabled: true }
      : compact({
          providers: [{ name: a.file?.name ?? 'envoy' }],
          filter: a.filter !== undefined ? { expression: a.filter } : undefined,
        });
    check(`accessLogging.${id}`, entry, expected);
  }
  const plugins = attributeGenConfigs(documents);
  for (const [id, generator] of Object.entries(config.attributeGenerators ?? {})) {
    const plugin = plugins.find((p) =>
      (p.attributes as Json[]).some((a) => Object.keys(generator.attributes).includes(String(a.output_attribute))),
    );
    for (const [name, rules] of Object.entries(generator.attributes)) {
      const output = (plugin?.attributes as Json[] | undefined)?.find((a) => a.output_attribute === name);
      const matches = (output?.match as { value: string; condition?: string }[] | undefined) ?? [];
      check(
        `attributeGenerators.${id}.${name} values`,
        matches.map((m) => m.value),
        rules.map((r) => r.value),
      );
      rules.forEach((rule, i) => {
        const condition = matches[i]?.condition;
        if (!rule.request || condition === undefined) return;
        // The generated condition holds for exactly the declared request: no path can end the literal.
        const request = {
          url_path: rule.request.path ?? `${rule.request.pathPrefix ?? '/'}`,
          method: rule.request.method ?? 'GET',
        };
        check(
          `attributeGenerators.${id}.${name}[${i}] on the declared request`,
          evaluate(condition, { request }),
          true,
        );
        const other = { ...request, url_path: `${request.url_path}"x` };
        check(
          `attributeGenerators.${id}.${name}[${i}] on another path`,
          evaluate(condition, { request: other }),
          rule.request.path === undefined && rule.request.pathPrefix === undefined,
        );
      });
    }
  }
  return problems;
}

describe('random valid declarations (every piece, every supported Istio release)', () => {
  it(
    'synthesize, pass the independent schemas, and read back exactly as declared',
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(validDeclaration, async (config) => {
          for (const key of Object.keys(config)) seen.set(key, (seen.get(key) ?? 0) + 1);
          let documents: Manifest[];
          try {
            ({ documents } = await synthesizedDocuments(config));
          } catch (error) {
            throw new Error(`refused a valid declaration: ${(error as Error).message}`);
          }
          const schemaProblems = (await Promise.all(documents.map(independentSchemaProblem))).filter(Boolean);
          expect(schemaProblems).toEqual([]);
          expect(roundTripProblems(config, documents)).toEqual([]);
        }),
        { numRuns: RUNS },
      );
      // Every piece was exercised, not just declared possible (shrinking adds runs, so ≥ RUNS).
      const pieces = [
        'statsInclusion',
        'metricDimensions',
        'metricDefinitions',
        'attributeGenerators',
        'pilotTraceSampling',
        'traceSampling',
        'zipkinTracers',
        'openTelemetryTracers',
        'customTraceTags',
        'accessLogging',
        'bootstrapOverrides',
        'backends',
      ];
      expect(pieces.filter((piece) => (seen.get(piece) ?? 0) < RUNS / 20)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('random invalid declarations', () => {
  it(
    'get our error (every problem located, no stack trace) and leave the output folder as it was, or synthesize',
    async () => {
      const outdir = join(scratch, 'kept');
      mkdirSync(outdir, { recursive: true });
      // An earlier synth's output: its file, and the marker that lists it.
      const previous = () => {
        writeFileSync(join(outdir, 'previous.k8s.yaml'), 'kind: Previous\n');
        writeFileSync(join(outdir, OUTPUT_MARKER), outputMarker(['previous.k8s.yaml']));
      };
      previous();
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(mutatedDeclaration, async (config) => {
          try {
            await synthDeclaration(config, outdir);
          } catch (error) {
            // The file's shape (ConfigFileError) or the built app (ValidationFailedError): every
            // problem on a line of its own, with the file location, and no stack trace.
            if (error instanceof ConfigFileError) {
              expect(error.message).toMatch(/^\d+ error\(s\) in the config file:\n {2}declaration\.yaml:\d+:\d+: /);
            } else {
              expect(error).toBeInstanceOf(ValidationFailedError);
            }
            expect((error as Error).message).not.toMatch(/\n\s+at /);
            expect(readdirSync(outdir).sort()).toEqual([OUTPUT_MARKER, 'previous.k8s.yaml']);
            refused++;
            return;
          }
          // Still valid (an optional member removed, say): it was written whole; put the old output back.
          rmSync(outdir, { recursive: true });
          mkdirSync(outdir);
          previous();
        }),
        { numRuns: RUNS },
      );
      expect(refused).toBeGreaterThan(RUNS / 2);
    },
    TIMEOUT,
  );

  it(
    'that the file schema accepts (values fine for the schema, wrong for Istio or Envoy) get our located error too, or synthesize',
    async () => {
      let refused = 0;
      const schemaValid = mutatedDeclaration.filter((config) => {
        try {
          ConfigFile.parse('declaration.yaml', stringify(config));
          return true;
        } catch {
          return false;
        }
      });
      await fc.assert(
        fc.asyncProperty(schemaValid, async (config) => {
          try {
            await synthDeclaration(config, join(scratch, `schema-valid-${counter++}`));
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationFailedError);
            expect((error as Error).message).toMatch(
              /^\d+ error\(s\) in the observability configuration:\n {2}declaration\.yaml:\d+:\d+ \[/,
            );
            refused++;
          }
        }),
        { numRuns: RUNS },
      );
      expect(refused).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
