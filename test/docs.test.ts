// The documentation's examples are run, not copied: every TypeScript block of README.md and docs/
// is a program run against this checkout, every `# observability.yaml` block is synthesized, and
// the lint example's output is the one printed next to it. Generated pages are checked fresh.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigFile, ObservabilityStack } from '../app/config';
import { formatFinding, validateApp } from '../app/validate';
import { CONFIG_REFERENCE_FILE, configReference } from '../scripts/config-reference';
import { ruleListDoc } from '../scripts/rule-list-doc';
import { testApp } from './support/app';
import { readTree } from './support/synth';

const ROOT = join(__dirname, '..');

interface Block {
  /** Page path relative to the repository, e.g. docs/lint.md. */
  readonly page: string;
  /** Line of the opening fence, 1-based. */
  readonly line: number;
  readonly lang: string;
  readonly body: string;
}

const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${page}:${i + 1}: a code block that is never closed`);
    found.push({ page, line: i + 1, lang: open[1] ?? '', body: `${lines.slice(i + 1, end).join('\n')}\n` });
    i = end;
  }
  return found;
}

const BLOCKS = PAGES.flatMap(blocksOf);
const where = (b: Block) => `${b.page}:${b.line}`;

/**
 * A folder where `cdk8s-istio-observability` resolves to this checkout's sources (tsx reads the
 * tsconfig `paths`), as an installed package resolves to its build: programs run there as a user's
 * would, writing their own `dist/`.
 */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-example-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        paths: {
          'cdk8s-istio-observability': [join(ROOT, 'constructs', 'index.ts')],
          'cdk8s-istio-observability/app': [join(ROOT, 'app', 'index.ts')],
          'cdk8s-istio-observability/config': [join(ROOT, 'app', 'config', 'index.ts')],
          'cdk8s-istio-observability/validate': [join(ROOT, 'app', 'validate', 'index.ts')],
          'cdk8s-istio-observability/demo': [join(ROOT, 'constructs', 'demo', 'index.ts')],
        },
      },
    }),
  );
  sandboxes.push(dir);
  return dir;
}
const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

function run(dir: string, args: readonly string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Parsed YAML, read by the paths the expectations name; a wrong path fails the comparison. */
interface Loose {
  readonly [key: string]: Loose;
}

/** The objects of one written file. */
function objectsIn(dir: string, file: string): Loose[] {
  return parseAllDocuments(readFileSync(join(dir, 'dist', file), 'utf8')).map((d) => d.toJS() as Loose);
}
const find = (objects: readonly Loose[], kind: string, name?: string) =>
  objects.find((o) => String(o.kind) === kind && (name === undefined || String(o.metadata?.name) === name));

/** What each TypeScript example must write, by page and position among the page's TypeScript blocks. */
const PROGRAMS: Record<string, (dir: string, stdout: string) => void> = {
  'README.md#1': (dir, stdout) => {
    expect(stdout).toBe('');
    expect(Object.keys(readTree(join(dir, 'dist')))).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'install/istiod-values.yaml',
      'kustomization.yaml',
      'mesh.k8s.yaml',
      'patches/kustomization.yaml',
      'patches/payments-statefulset-payments.yaml',
      'shop.k8s.yaml',
    ]);
    const meshTelemetry = find(objectsIn(dir, 'mesh.k8s.yaml'), 'Telemetry', 'mesh-default');
    expect(meshTelemetry?.spec.metrics[0].overrides).toEqual([
      { match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_host: { value: 'request.host' } } },
    ]);
    const cart = find(objectsIn(dir, 'shop.k8s.yaml'), 'Telemetry');
    expect(cart?.spec).toEqual({
      selector: { matchLabels: { app: 'cart' } },
      tracing: [{ randomSamplingPercentage: 25 }],
    });
    expect(objectsIn(dir, 'patches/payments-statefulset-payments.yaml')).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'payments', namespace: 'payments' },
        spec: {
          template: {
            metadata: {
              annotations: {
                'proxy.istio.io/config': 'proxyStatsMatcher:\n  inclusionSuffixes:\n    - upstream_rq_timeout\n',
              },
            },
          },
        },
      },
    ]);
  },
  'docs/constructs.md#1': (dir, stdout) => {
    expect(stdout).toBe('');
    const web = find(objectsIn(dir, 'shop.k8s.yaml'), 'Deployment');
    expect(web?.spec.template.metadata.annotations).toEqual({
      'proxy.istio.io/config':
        'proxyStatsMatcher:\n  inclusionPrefixes:\n    - cluster.outbound|80||catalog.shop\ntracing:\n  sampling: 10\n',
    });
    // istioctl's input, apart from what is applied: the chart holding only it writes no file.
    expect(objectsIn(dir, 'install/istio-operator.yaml')).toEqual([
      {
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: 'control-plane', namespace: 'istio-system' },
        spec: { profile: 'demo' },
      },
    ]);
    expect(Object.keys(readTree(join(dir, 'dist')))).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'install/istio-operator.yaml',
      'kustomization.yaml',
      'shop.k8s.yaml',
    ]);
  },
  'docs/backends.md#1': (dir, stdout) => {
    expect(stdout).toBe('');
    const kiali = find(objectsIn(dir, 'observability-backends.k8s.yaml'), 'Kiali');
    expect(kiali?.spec.external_services).toEqual({
      prometheus: {
        cache_duration: 10,
        cache_enabled: true,
        cache_expiration: 300,
        url: 'http://prom-kube-prometheus-stack-prometheus.prometheus:9090',
      },
      tracing: { enabled: true, in_cluster_url: 'http://tracing.istio-system:16685/jaeger', use_grpc: true },
    });
    const operator = find(objectsIn(dir, 'install/istio-operator.yaml'), 'IstioOperator');
    expect(operator?.spec.meshConfig.extensionProviders).toEqual([
      { name: 'zipkin', zipkin: { port: 9411, service: 'zipkin.istio-system.svc.cluster.local' } },
    ]);
  },
};

describe('the TypeScript examples', () => {
  const programs = new Map<string, Block>();
  for (const page of PAGES) {
    BLOCKS.filter((b) => b.page === page && b.lang === 'ts').forEach((b, i) => {
      programs.set(`${page}#${i + 1}`, b);
    });
  }

  it('each have an expectation here, and each expectation an example', () => {
    expect([...programs.keys()].sort()).toEqual(Object.keys(PROGRAMS).sort());
  });

  for (const [key, block] of programs) {
    it(`${where(block)} runs as a program and writes what it says`, () => {
      const dir = sandbox();
      writeFileSync(join(dir, 'example.ts'), block.body);
      const { status, stdout, stderr } = run(dir, ['example.ts']);
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      PROGRAMS[key]?.(dir, stdout);
    });
  }
});

describe('the observability.yaml examples', () => {
  const configs = BLOCKS.filter((b) => b.lang === 'yaml' && b.body.startsWith('# observability.yaml\n'));

  it('are in the README and the config file guide', () => {
    expect([...new Set(configs.map((b) => b.page))]).toEqual(['README.md', 'docs/config-file.md']);
  });

  for (const block of configs) {
    it(`${where(block)} synthesizes with no error`, async () => {
      const file = ConfigFile.parse('observability.yaml', block.body);
      const app = testApp();
      new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
      const findings = await validateApp(app);
      expect(findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
    });
  }

  it('the README quick start, with the mistake it shows, prints the message it shows and writes nothing', () => {
    const [quickStart] = configs;
    const shown = BLOCKS.find((b) => b.page === 'README.md' && b.lang === 'text')?.body.trim();
    const dir = sandbox();
    writeFileSync(
      join(dir, 'observability.yaml'),
      quickStart?.body.replace('metric: requests_total', 'metric: istio_requests_total') ?? '',
    );
    const { status, stderr } = run(dir, [join(ROOT, 'main.ts'), '--config', 'observability.yaml', '--out', 'dist']);
    expect(status).toBe(1);
    expect(stderr.split('\n').filter((l) => l.startsWith('  observability.yaml:'))).toEqual([`  ${shown}`]);
    expect(readdirSync(dir).sort()).toEqual(['node_modules', 'observability.yaml', 'tsconfig.json']);
  });

  it('the config file guide uses every section a single-cluster file can have', () => {
    const guide = configs.find((b) => b.page === 'docs/config-file.md');
    const config = ConfigFile.parse('observability.yaml', guide?.body ?? '').config;
    expect(Object.keys(config)).toEqual([
      'istioVersion',
      'namespace',
      'mesh',
      'demoApp',
      'statsInclusion',
      'attributeGenerators',
      'metricDimensions',
      'metricDefinitions',
      'pilotTraceSampling',
      'traceSampling',
      'zipkinTracers',
      'customTraceTags',
      'bootstrapOverrides',
      'backends',
      'slos',
    ]);
    expect(Object.keys(config.backends ?? {})).toEqual([
      'prometheus',
      'prometheusOperator',
      'scrapeConfig',
      'jaeger',
      'grafana',
      'kiali',
    ]);
  });
});

describe('the lint mode example', () => {
  it('prints exactly the output docs/lint.md shows for its file', () => {
    const blocks = BLOCKS.filter((b) => b.page === 'docs/lint.md');
    const file = blocks.find((b) => b.lang === 'yaml' && b.body.startsWith('# lint: mesh-telemetry.yaml\n'));
    const shown = blocks.find((b) => b.lang === 'text' && b.body.startsWith('mesh-telemetry.yaml:'));
    expect(readFileSync(join(ROOT, 'docs/lint.md'), 'utf8')).toContain(
      '`validate --istio-version 1.21 mesh-telemetry.yaml` prints:',
    );
    const dir = sandbox();
    writeFileSync(join(dir, 'mesh-telemetry.yaml'), file?.body ?? '');
    const { status, stdout } = run(dir, [
      join(ROOT, 'cli', 'index.ts'),
      'validate',
      '--istio-version',
      '1.21',
      'mesh-telemetry.yaml',
    ]);
    expect(status).toBe(1);
    expect(stdout).toBe(shown?.body);
  });
});

describe('generated pages', () => {
  it('docs/config-reference.md is what scripts/config-reference.ts writes from the schema', () => {
    expect(readFileSync(CONFIG_REFERENCE_FILE, 'utf8')).toBe(configReference());
  });

  it('docs/validation.md lists exactly the rules of the rule catalog, with their summaries', () => {
    const page = readFileSync(join(ROOT, 'docs', 'validation.md'), 'utf8');
    expect(/<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(page)?.[1]).toBe(ruleListDoc());
  });
});

describe('links', () => {
  it('between the pages point at files that exist', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      // Inline code (a regex such as `^[a-z]([-a-z]*)$`) holds no links.
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/`[^`\n]*`/g, '');
      for (const [, target] of text.matchAll(/\]\(((?!https?:|#)[^)#\s]+)(#[^)]*)?\)/g)) {
        const base = page.includes('/') ? join(ROOT, page, '..') : ROOT;
        try {
          readFileSync(join(base, target ?? ''));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EISDIR') broken.push(`${page}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
