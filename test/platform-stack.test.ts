import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { OUTPUT_MARKER } from '../app/synth/output-guard';
import { readTree } from './support/synth';

// The consumer fixture examples/platform-stack, run the way a platform team would: the library is
// installed from its packed tarball (never from this checkout), the app is compiled with tsc
// against the shipped type declarations, and `cdk8s synth` runs it with our validation plugin.
const ROOT = resolve(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CDK8S = join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
let work: string;
let app: string;
let packed: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'platform-stack-'));
  const pack = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }),
  ) as { filename: string; files: { path: string }[] }[];
  packed = (pack[0]?.files ?? []).map((f) => f.path).sort();
  app = join(work, 'app');
  cpSync(join(ROOT, 'examples', 'platform-stack'), app, { recursive: true });
  renameSync(join(work, pack[0]?.filename ?? ''), join(app, 'cdk8s-istio-observability.tgz'));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
    stdio: 'pipe',
  });
  execFileSync(process.execPath, [TSC, '-p', '.'], { cwd: app, stdio: 'pipe' });
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function cdk8sSynth(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CDK8S, 'synth'], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
}

describe('the packed library', () => {
  it('ships the build, the docs, the schemas and the plugin entry, and no sources, tests or examples', () => {
    const tops = [
      ...new Set(
        packed.map((p) =>
          p
            .split('/')
            .slice(0, p.startsWith('lib/') ? 2 : 1)
            .join('/'),
        ),
      ),
    ];
    expect(tops).toEqual([
      'CHANGELOG.md',
      'README.md',
      'docs',
      'lib/analysis',
      'lib/app',
      'lib/cli',
      'lib/constructs',
      'lib/core',
      'lib/imports',
      'lib/model',
      'package.json',
      'plugin.js',
      'schemas',
    ]);
    expect(packed.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(packed).toContain('lib/constructs/index.d.ts');
    expect(packed).toContain('schemas/crds/istio-1.31.0-rc.0.json');
  });

  it('resolves through its exports map only', () => {
    const probe = (specifier: string) =>
      spawnSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(specifier)}))`], {
        cwd: app,
        encoding: 'utf8',
      });
    expect(probe('cdk8s-istio-observability').stdout).toBe('object\n');
    expect(probe('cdk8s-istio-observability/plugin').stdout).toBe('object\n');
    expect(probe('cdk8s-istio-observability/demo').stdout).toBe('object\n');
    for (const subpath of ['app', 'config', 'validate']) {
      expect(probe(`cdk8s-istio-observability/${subpath}`).stdout).toBe('object\n');
    }
    expect(probe('cdk8s-istio-observability/lib/core/errors.js').stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('loads no validator, CEL parser or dashboard SDK when a program imports the constructs', () => {
    // Every package module require() loads, by package: what `import { IstioMesh }` costs each synth.
    const loaded = (specifier: string) => {
      const program = [
        "const Module = require('node:module');",
        'const packages = new Set();',
        'const load = Module._load;',
        'Module._load = function (request, parent, ...rest) {',
        '  const file = Module._resolveFilename(request, parent);',
        "  const found = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.split('node_modules/').slice(-2).join('node_modules/'));",
        '  if (found) packages.add(found[1]);',
        '  return load.call(this, request, parent, ...rest);',
        '};',
        `const { IstioMesh } = require(${JSON.stringify(specifier)});`,
        'console.log(typeof IstioMesh, JSON.stringify([...packages].sort()));',
      ].join('\n');
      return spawnSync(process.execPath, ['-e', program], { cwd: app, encoding: 'utf8' }).stdout;
    };
    // cdk8s's own bundled dependencies (balanced-match … minimatch) and ours: no ajv, protobufjs,
    // @marcbachmann/cel-js or @grafana/grafana-foundation-sdk.
    expect(loaded('cdk8s-istio-observability')).toBe(
      'function ["balanced-match","brace-expansion","cdk8s","cdk8s-istio-observability","cdk8s-plus-27","concat-map","constructs","fast-json-patch","minimatch","re2js","yaml"]\n',
    );
  });
});

describe('examples/platform-stack with cdk8s synth and the validation plugin', () => {
  it('synthesizes its own objects next to ours, and the plugin passes them', () => {
    const run = cdk8sSynth();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Validations ended succesfully');
    const docs = parseAllDocuments(readFileSync(join(app, 'dist', 'payments.k8s.yaml'), 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: Record<string, unknown> },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Namespace/payments',
      'Deployment/payments-api',
      'Telemetry/payments-api',
      'Telemetry/payments-access-logs',
    ]);
    const deployment = docs[1] as unknown as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(parse(deployment.spec.template.metadata.annotations['proxy.istio.io/config'] ?? '')).toEqual({
      proxyStatsMatcher: { inclusionPrefixes: ['cluster.outbound|443||ledger.payments.svc.cluster.local'] },
    });
    // Istio 1.30 samples through the Telemetry API, selected on the platform's own Deployment.
    expect(docs[2]?.spec).toEqual({
      selector: { matchLabels: { 'cdk8s.io/metadata.addr': 'payments-api-c8fa9654' } },
      tracing: [{ randomSamplingPercentage: 25 }],
    });
    // The whole output folder (ObservabilityApp): the IstioOperator is istioctl's input in install/,
    // never in a chart applied to the cluster.
    expect(readdirSync(join(app, 'dist')).sort()).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'construct-metadata.json',
      'install',
      'istio-install.k8s.yaml',
      'kustomization.yaml',
      'payments.k8s.yaml',
    ]);
    expect(readdirSync(join(app, 'dist', 'install'))).toEqual(['istio-operator.yaml']);
  });

  it('fails cdk8s synth on a bad hand-written Telemetry, with our error text and the construct path', () => {
    const run = cdk8sSynth({ PLATFORM_STACK_BAD: '1' });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('cel-expression (1 occurrences)');
    expect(run.stdout).toContain('- Construct Path: payments/access-logs');
    expect(run.stdout).toContain(
      '> dist/payments.k8s.yaml:95 [Telemetry/payments/payments-access-logs] spec.metrics[0].overrides[0].tagOverrides.source_proxy.value: reads unknown attribute "upstream_peer" at column 1 (got "upstream_peer.istio_version", expected attributes of Istio 1.30: connection, destination, filter_state, metadata, request, response, source, upstream, xds)',
    );
    expect(run.stderr).toContain('Validation failed');
  });

  it('lints the synthesized folder with the packaged CLI', () => {
    cdk8sSynth();
    const cli = join(app, 'node_modules', '.bin', 'cdk8s-istio-observability');
    const run = spawnSync(cli, ['validate', '--istio-version', '1.30', '--complete', 'dist'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      '4 file(s), 6 object(s) checked against Istio 1.30: 0 error(s), 0 warning(s)',
    );
    expect(run.status).toBe(0);
  });
});

describe('a cdk8s app of an observability.yaml, run by cdk8s synth with the validation plugin', () => {
  it('writes the same files, byte for byte, as the synth command (examples/shop: install: helm)', () => {
    // Its own folder: a cdk8s.yaml whose plugin checks the release the file declares.
    const dir = join(work, 'config-app');
    mkdirSync(dir);
    symlinkSync(join(app, 'node_modules'), join(dir, 'node_modules'), 'dir');
    cpSync(join(app, 'config-app.js'), join(dir, 'config-app.js'));
    cpSync(join(ROOT, 'examples', 'shop.yaml'), join(dir, 'shop.yaml'));
    writeFileSync(
      join(dir, 'cdk8s.yaml'),
      [
        'language: typescript',
        'app: node config-app.js shop.yaml',
        'output: dist',
        'validations:',
        '  - package: ./node_modules/cdk8s-istio-observability/plugin.js',
        '    class: IstioObservabilityValidation',
        '    version: 0.1.0',
        '    properties: { istioVersion: "1.31" }',
        '',
      ].join('\n'),
    );
    const synth = (env: Record<string, string>) =>
      spawnSync(process.execPath, [CDK8S, 'synth'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
      });
    // cdk8s-cli asks for construct-metadata.json (its report's construct paths) unless told not to.
    const exact = synth({ CDK8S_RECORD_CONSTRUCT_METADATA: 'false' });
    expect(exact.stdout).toContain('Validations ended succesfully');
    expect(exact.status).toBe(0);
    // The same files, byte for byte, but for the review record the command line's synth adds to the
    // marker (what validate need not repeat): an app's synth() is not async, and cannot lint.
    expect(readTree(join(dir, 'dist'))).toEqual(withoutReviewRecord(readTree(join(ROOT, 'examples', 'shop'))));
    const withMetadata = synth({});
    expect(withMetadata.status).toBe(0);
    expect(Object.keys(readTree(join(dir, 'dist')))).toEqual(
      [...Object.keys(readTree(join(ROOT, 'examples', 'shop'))), 'construct-metadata.json'].sort(),
    );
  });
});

describe('the packaged command line, installed into an empty folder next to an older cdk8s', () => {
  let shop: string;
  const cli = () => join(shop, 'node_modules', '.bin', 'cdk8s-istio-observability');
  const run = (args: readonly string[]) => spawnSync(cli(), [...args], { cwd: shop, encoding: 'utf8' });

  beforeAll(() => {
    shop = join(work, 'shop');
    mkdirSync(shop);
    // cdk8s 2.70.100 beside our tests' 2.70.106: the peer ranges must accept it (no ERESOLVE).
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        'cdk8s@2.70.100',
        join(app, 'cdk8s-istio-observability.tgz'),
      ],
      { cwd: shop, stdio: 'pipe' },
    );
  }, 300_000);

  it('writes the same bytes as npm run synth in this repository', () => {
    const synth = run(['synth', '--config', join(ROOT, 'examples', 'shop.yaml'), '--out', 'out']);
    expect(synth.status).toBe(0);
    expect(readTree(join(shop, 'out'))).toEqual(readTree(join(ROOT, 'examples', 'shop')));
  });

  it('starts a config for your own mesh with init, which synth then writes', () => {
    const init = run(['init', '--istio-version', '1.28', '--install', 'sail', '--namespace', 'shop']);
    expect(init.stdout).toBe(
      'wrote observability.yaml; edit it, then: npx cdk8s-istio-observability synth --config observability.yaml --out dist\n',
    );
    expect(run(['init']).stderr).toBe(
      'observability.yaml: exists; init never overwrites a file (use --file for another path)\n',
    );
    const synth = run(['synth']);
    expect(synth.status).toBe(0);
    expect(Object.keys(readTree(join(shop, 'dist')))).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'kustomization.yaml',
      'mesh.k8s.yaml',
      'observability-backends.k8s.yaml',
      'shop.k8s.yaml',
    ]);
  });

  it('explains every command with --help, exit 0', () => {
    for (const command of ['init', 'synth', 'validate', 'diff']) {
      const help = run([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout.startsWith(`usage: ${command} `)).toBe(true);
    }
    expect(run(['--help']).stdout.startsWith('usage: cdk8s-istio-observability <command> [--help] [--debug]\n')).toBe(
      true,
    );
  });
});

/** `files` with the marker as a synth without a review record writes it (see atomic-synth.ts, recordFolders). */
function withoutReviewRecord(files: Record<string, string>): Record<string, string> {
  const marker = files[OUTPUT_MARKER];
  if (marker === undefined) return files;
  const { folders: _recorded, ...rest } = JSON.parse(marker) as { folders?: unknown };
  return { ...files, [OUTPUT_MARKER]: `${JSON.stringify(rest, null, 2)}\n` };
}
