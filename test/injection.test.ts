import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, parse as parseCel } from '@marcbachmann/cel-js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ConfigFile, ConfigFileError, formatConfigProblem } from '../app/config/config-file';
import { synthAtomically } from '../app/synth/atomic-synth';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { celString, requestCondition } from '../constructs/attributes/request-condition';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { isDnsLabel } from '../core/names';
import { inputProblems } from '../core/problems/construct-problems';
import { INJECTIONS } from './support/declarations';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';
import { readTree } from './support/synth';

const scratch = mkdtempSync(join(tmpdir(), 'injection-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

type Json = Record<string, unknown>;
type Fixture = ReturnType<typeof demoFixture>;

/**
 * Builds the demo app on `istioVersion`, lets `build` add to it, synthesizes it with every rule
 * on, and reads the written files back as YAML 1.1, the way Kubernetes and Istio's Go YAML do.
 */
async function synthFixture(istioVersion: string, build: (fixture: Fixture) => void): Promise<Json[]> {
  const outdir = join(scratch, `out-${counter++}`);
  await synthAtomically(outdir, (app) => build(demoFixture({ istioVersion }, app)));
  // The objects: the chart files and the installer's IstioOperator (not REPORT.md or the kustomization).
  return Object.entries(readTree(outdir))
    .filter(([path]) => path.endsWith('.k8s.yaml') || path.startsWith('install/'))
    .flatMap(([, text]) => parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Json));
}

/** A `proxy.istio.io/config` value read as Istio reads it (sigs.k8s.io/yaml: YAML 1.1, where `yes` is a boolean). */
function proxyConfigAnnotation(documents: readonly Json[]): Json {
  const webapp = documents.find((d) => d.kind === 'Deployment' && at(d, 'metadata', 'name') === 'webapp');
  return parse(String(at(webapp, 'spec', 'template', 'metadata', 'annotations', 'proxy.istio.io/config')), {
    version: '1.1',
  }) as Json;
}

const at = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);

describe.each(INJECTIONS)('user string %j', (text) => {
  it('as a custom tag literal and a header default value, round-trips through proxy.istio.io/config (1.17) and Telemetry (1.30)', async () => {
    const build = ({ mesh, chart, webapp }: Fixture) => {
      new CustomTraceTags(chart, 'tags', {
        mesh,
        target: ProxyTarget.workload(webapp),
        tags: { literal_tag: CustomTag.literal(text), header_tag: CustomTag.header('x-user', text) },
      });
    };
    const expected = {
      literal_tag: { literal: { value: text } },
      header_tag: { header: { name: 'x-user', defaultValue: text } },
    };
    const annotation = proxyConfigAnnotation(await synthFixture('1.17', build));
    expect(at(annotation, 'tracing', 'customTags')).toEqual(expected);
    const onTelemetry = await synthFixture('1.30', build);
    const telemetry = onTelemetry.find((d) => d.kind === 'Telemetry' && at(d, 'metadata', 'name') === 'webapp');
    expect(at(telemetry, 'spec', 'tracing', 0, 'customTags')).toEqual(expected);
  });

  it('as an attribute value, round-trips through the 1.17 EnvoyFilter (JSON in YAML) and the 1.30 WasmPlugin', async () => {
    const build = ({ mesh, chart }: Fixture) => {
      new AttributeGen(chart, 'gen', { mesh, name: 'gen' }).addAttribute('istio_operationId', [
        { value: text, request: { path: '/items', method: 'GET' } },
      ]);
    };
    const filter = (await synthFixture('1.17', build)).find((d) => d.kind === 'EnvoyFilter');
    const configuration = at(
      filter,
      'spec',
      'configPatches',
      0,
      'patch',
      'value',
      'typed_config',
      'value',
      'config',
      'configuration',
      'value',
    );
    expect(at(JSON.parse(String(configuration)), 'attributes', 0, 'match', 0, 'value')).toBe(text);
    const plugin = (await synthFixture('1.30', build)).find((d) => d.kind === 'WasmPlugin');
    expect(at(plugin, 'spec', 'pluginConfig', 'attributes', 0, 'match', 0, 'value')).toBe(text);
  });

  it('as a stats inclusion prefix, round-trips through proxy.istio.io/config', async () => {
    const documents = await synthFixture('1.30', ({ mesh, chart, webapp }) => {
      new StatsInclusion(chart, 'stats', { mesh, target: ProxyTarget.workload(webapp), inclusionPrefixes: [text] });
    });
    const annotation = proxyConfigAnnotation(documents);
    expect(annotation.proxyStatsMatcher).toEqual({ inclusionPrefixes: [text] });
  });

  it('inside a request path, stays a CEL string literal: the condition holds for exactly that path', () => {
    const path = `/p/${text}`;
    const condition = requestCondition({ path, method: 'GET' });
    // One conjunction of two comparisons, whatever the path: nothing escaped the literal.
    const ast = parseCel(condition).ast as { op: string; args: { op: string; args: unknown[] }[] };
    expect(ast.op).toBe('&&');
    expect(ast.args.map((a) => a.op)).toEqual(['==', '==']);
    expect(at(ast.args[0], 'args', 1)).toEqual(expect.objectContaining({ op: 'value', args: path }));
    expect(evaluate(celString(path))).toBe(path);
    const matches = (url_path: string, method = 'GET') => evaluate(condition, { request: { url_path, method } });
    expect([matches(path), matches(`${path}x`), matches('/p/'), matches(path, 'POST')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('as a header name or a request method, is refused unless it is an RFC 9110 token', () => {
    const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text);
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.30' });
    const tags = () =>
      new CustomTraceTags(chart, 'tags', {
        mesh,
        target: ProxyTarget.workload(webapp),
        tags: { user: CustomTag.header(text) },
      });
    const gen = new AttributeGen(chart, 'gen', { mesh, name: 'gen' });
    const attribute = () => gen.addAttribute('istio_operationId', [{ value: 'x', request: { method: text } }]);
    if (token) {
      expect(inputProblems(tags())).toEqual([]);
      expect(attribute).not.toThrow();
      return;
    }
    expect(refusalOf(tags)).toBe(
      `[istioinaction/tags] tags.user.header.name: got ${JSON.stringify(text)}, expected an HTTP header name (RFC 9110 token)`,
    );
    expect(attribute).toThrow(
      `[istioinaction/gen] istio_operationId.match[0].request.method: got ${JSON.stringify(text)}, expected an HTTP method, e.g. "GET" (an RFC 9110 token)`,
    );
  });

  it('as a name (construct id, namespace, ConfigMap name), is refused with its location in observability.yaml', () => {
    const config = {
      istioVersion: '1.30',
      namespace: text,
      demoApp: {},
      traceSampling: { [text]: { target: 'mesh', percentage: 10 } },
      bootstrapOverrides: { boot: { name: text, workloads: ['webapp'], statsd: { address: 'statsd.x:9125' } } },
    };
    const parsing = () => ConfigFile.parse('observability.yaml', stringify(config));
    if (isDnsLabel(text)) {
      expect(parsing).not.toThrow();
      return;
    }
    expect(parsing).toThrow(ConfigFileError);
    let problems: readonly string[] = [];
    try {
      parsing();
    } catch (error) {
      problems = (error as ConfigFileError).problems.map(formatConfigProblem);
    }
    const quoted = JSON.stringify(text);
    expect(problems.filter((p) => p.startsWith('observability.yaml:2:1: namespace: '))).toHaveLength(1);
    expect(problems.some((p) => p.includes(': traceSampling') && p.includes(quoted))).toBe(true);
    expect(
      problems.filter((p) => /^observability\.yaml:\d+:\d+: bootstrapOverrides\.boot\.name: /.test(p)),
    ).toHaveLength(1);
  });
});
