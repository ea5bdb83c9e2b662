// GitOps delivery: paths that match what Argo CD and Flux look for (checked with Go's path.Match,
// as Argo CD's git directory generator matches), and istiod left to whoever runs it unless asked.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigFileError } from '../app/config/config-file';
import { synthConfigFile } from '../cli/synth';
import { BadPatternError, goPathMatch } from '../core/paths/go-path-match';
import { readTree } from './support/synth';

const UPDATE = process.env.UPDATE_GOLDENS === '1';
if (UPDATE && process.env.CI)
  throw new Error('UPDATE_GOLDENS is refused in CI: goldens are updated by a developer and reviewed');

const scratch = mkdtempSync(join(tmpdir(), 'gitops-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML objects of several kinds
type Doc = any;
const objects = (text: string | undefined): Doc[] =>
  parseAllDocuments(text ?? '')
    .map((d) => d.toJS())
    .filter(Boolean);

/**
 * A repository the output of `config` is committed to at `out` (synth's repoPath: the folder as
 * given, from the repository root); returns the repository's folder. The config lives beside it,
 * since synth replaces its output folder whole.
 */
async function synthRepo(config: string[], out: string): Promise<string> {
  const dir = join(scratch, `case-${counter++}`);
  const repo = join(dir, 'repo');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(dir, 'observability.yaml'), `${config.join('\n')}\n`);
  await synthConfigFile(join(dir, 'observability.yaml'), join(repo, out), out);
  return repo;
}

/** Every folder of a repository as Argo CD's repo server lists them: relative, `/`-separated, root excluded. */
function folders(repo: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      found.push(relative(repo, join(dir, entry.name)).split('\\').join('/'));
      walk(join(dir, entry.name));
    }
  };
  walk(repo);
  return found.sort();
}

/** The folders an ApplicationSet's git directory generators select (argo-cd applicationset/generators/git.go). */
function generatorMatches(applicationSet: Doc, repo: string): string[] {
  const patterns: string[] = applicationSet.spec.generators.flatMap((g: Doc) =>
    g.git.directories.map((d: Doc) => d.path),
  );
  return folders(repo).filter((folder) => patterns.some((pattern) => goPathMatch(pattern, folder)));
}

describe("Go's path.Match, as ported", () => {
  // Cases of go/src/path/match_test.go.
  it.each([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['*x', 'xxx', true],
    ['./clusters/*', 'clusters/prod', false],
    ['clusters/*', 'clusters/prod/install', false],
  ])('%s matches %s: %s', (pattern, name, matched) => {
    expect(goPathMatch(pattern, name)).toBe(matched);
  });

  it.each([
    ['[]a]', ']'],
    ['[-]', '-'],
    ['[x-]', 'x'],
    ['[-x]', 'a'],
    ['\\', 'a'],
    ['[a-b-c]', 'a'],
    ['[', 'a'],
    ['[^', 'a'],
    ['[^bc', 'a'],
    ['a[', 'a'],
    ['a[', 'ab'],
    ['a/b[', 'x'],
  ])('%s is a bad pattern (against %s)', (pattern, name) => {
    expect(() => goPathMatch(pattern, name)).toThrow(BadPatternError);
  });
});

describe('GitOps paths', () => {
  it('delivers one cluster without clusters: from exactly the folder gitops.path names', async () => {
    const repo = await synthRepo(
      [
        'istioVersion: "1.26"',
        'namespace: shop',
        'workloads: { cart: { selector: { app: cart } } }',
        'traceSampling: { cart: { target: { workload: cart }, percentage: 5 } }',
        'gitops: { repoURL: https://git.example.com/platform.git, path: clusters/prod, cluster: prod-eu }',
      ],
      'clusters/prod',
    );
    const files = readTree(repo);
    const [applicationSet] = objects(files['clusters/prod/gitops/argocd.k8s.yaml']);
    expect(applicationSet.spec.generators[0].git.directories).toEqual([{ path: 'clusters/prod' }]);
    expect(applicationSet.spec.template.metadata.name).toBe('istio-observability');
    expect(applicationSet.spec.template.spec.destination).toEqual({ name: 'prod-eu' });
    expect(generatorMatches(applicationSet, repo)).toEqual(['clusters/prod']);
    const [flux] = objects(files['clusters/prod/gitops/flux.k8s.yaml']);
    expect(flux.metadata.name).toBe('istio-observability');
    expect(flux.spec.path).toBe('./clusters/prod');
    expect(existsSync(join(repo, flux.spec.path, 'kustomization.yaml'))).toBe(true);
  });

  it('delivers each cluster folder of a repository-root output, and nothing else', async () => {
    const repo = await synthRepo(
      [
        'namespace: shop',
        'workloads: { cart: { selector: { app: cart } } }',
        'traceSampling: { cart: { target: { workload: cart }, percentage: 5 } }',
        'clusters: { dev: { istioVersion: "1.24" }, prod: { istioVersion: "1.26" } }',
        'gitops: { repoURL: https://git.example.com/platform.git, path: "." }',
      ],
      '.',
    );
    const files = readTree(repo);
    const [applicationSet] = objects(files['gitops/argocd.k8s.yaml']);
    expect(applicationSet.spec.generators[0].git.directories).toEqual([{ path: 'clusters/*' }]);
    expect(generatorMatches(applicationSet, repo)).toEqual(['clusters/dev', 'clusters/prod']);
    for (const cluster of ['dev', 'prod']) {
      const [flux] = objects(files[`gitops/flux-${cluster}.k8s.yaml`]);
      expect(flux.spec.path).toBe(`./clusters/${cluster}`);
      expect(existsSync(join(repo, flux.spec.path, 'kustomization.yaml'))).toBe(true);
    }
  });

  it('cleans ./ from the path, so the generator matches what Argo CD lists', async () => {
    const repo = await synthRepo(
      [
        'namespace: shop',
        'workloads: { cart: { selector: { app: cart } } }',
        'traceSampling: { cart: { target: { workload: cart }, percentage: 5 } }',
        'clusters: { prod: { istioVersion: "1.26" } }',
        'gitops: { repoURL: https://git.example.com/platform.git, path: ./platform/mesh }',
      ],
      'platform/mesh',
    );
    const [applicationSet] = objects(readTree(repo)['platform/mesh/gitops/argocd.k8s.yaml']);
    expect(applicationSet.spec.generators[0].git.directories).toEqual([{ path: 'platform/mesh/clusters/*' }]);
    expect(generatorMatches(applicationSet, repo)).toEqual(['platform/mesh/clusters/prod']);
  });

  it('refuses the repository root as the one folder Argo CD delivers, and a cluster name beside clusters:', async () => {
    const errors = async (config: string[]): Promise<string[]> => {
      const error = await synthRepo(config, 'out').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigFileError);
      return (error as ConfigFileError).problems.map((p) => `${p.location.line}:${p.location.column}: ${p.what}`);
    };
    expect(
      await errors([
        'istioVersion: "1.26"',
        'namespace: shop',
        'gitops: { repoURL: https://git.example.com/platform.git, path: "." }',
      ]),
    ).toEqual(["3:58: is the repository root, which Argo CD's git directory generator does not list as a folder"]);
    expect(
      await errors([
        'namespace: shop',
        'clusters: { prod: { istioVersion: "1.26" } }',
        'gitops: { repoURL: https://git.example.com/platform.git, cluster: prod }',
      ]),
    ).toEqual(['3:58: is not read when clusters: is set, since each folder goes to the cluster of its name']);
  });
});

const HELM = [
  'namespace: shop',
  'mesh: { install: helm }',
  'pilotTraceSampling: 2',
  'clusters: { prod: { istioVersion: "1.28.4" } }',
];

describe('istiod under GitOps', () => {
  it('stays with whoever runs it: values only, a ConfigMap for Flux, and how to read them in REPORT.md', async () => {
    const repo = await synthRepo(
      [...HELM, 'gitops: { repoURL: https://git.example.com/platform/mesh.git, path: mesh/out }'],
      'mesh/out',
    );
    const files = readTree(join(repo, 'mesh/out'));
    expect(objects(files['gitops/argocd.k8s.yaml']).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ApplicationSet/istio-observability',
    ]);
    const flux = objects(files['gitops/flux-prod.k8s.yaml']);
    expect(flux.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Kustomization/istio-observability-prod',
      'ConfigMap/istiod-observability-values',
    ]);
    expect(flux[1].metadata.labels).toEqual({ 'reconcile.fluxcd.io/watch': 'Enabled' });
    expect(flux[1].data).toEqual({ 'values.yaml': files['clusters/prod/install/istiod-values.yaml'] });
    const report = files['REPORT.md'] ?? '';
    expect(report).toContain('          - $values/mesh/out/clusters/prod/install/istiod-values.yaml\n');
    expect(report).toContain('      targetRevision: 1.28.4\n');
    expect(report).toContain(
      '    - kind: ConfigMap\n      name: istiod-observability-values\n      valuesKey: values.yaml\n',
    );
    // The values file $values names is the one written.
    expect(existsSync(join(repo, 'mesh/out/clusters/prod/install/istiod-values.yaml'))).toBe(true);
  });

  it('with manageIstiod: the exact release, base first, the webhook failurePolicy ignored, the team values first', async () => {
    const repo = await synthRepo(
      [
        ...HELM,
        'gitops:',
        '  repoURL: https://git.example.com/platform/mesh.git',
        '  path: mesh/out',
        '  manageIstiod: true',
        '  istiodValueFiles: [platform/istiod/values.yaml]',
        '  istiodValuesFrom: [{ kind: ConfigMap, name: istiod-team-values }]',
      ],
      'mesh/out',
    );
    const files = readTree(join(repo, 'mesh/out'));
    const goldens = join(__dirname, 'goldens', 'gitops', 'manage-istiod');
    for (const file of ['argocd.k8s.yaml', 'flux-prod.k8s.yaml']) {
      const written = files[`gitops/${file}`] ?? '';
      if (UPDATE) {
        mkdirSync(goldens, { recursive: true });
        writeFileSync(join(goldens, file), written);
      }
      expect(written).toBe(readFileSync(join(goldens, file), 'utf8'));
    }
    const argo = objects(files['gitops/argocd.k8s.yaml']);
    const base = argo.find((o) => o.metadata.name === 'istio-base-prod');
    const istiod = argo.find((o) => o.metadata.name === 'istiod-prod');
    expect([base.metadata.annotations, istiod.metadata.annotations]).toEqual([
      { 'argocd.argoproj.io/sync-wave': '-1' },
      { 'argocd.argoproj.io/sync-wave': '0' },
    ]);
    expect(istiod.spec.sources[0].targetRevision).toBe('1.28.4');
    expect(istiod.spec.sources[0].helm.valueFiles).toEqual([
      '$values/platform/istiod/values.yaml',
      '$values/mesh/out/clusters/prod/install/istiod-values.yaml',
    ]);
    expect(istiod.spec.ignoreDifferences).toEqual([
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        jqPathExpressions: ['.webhooks[]?.failurePolicy'],
      },
    ]);
    expect(istiod.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    const flux = objects(files['gitops/flux-prod.k8s.yaml']);
    const release = flux.find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'istiod-prod');
    expect(release.spec.dependsOn).toEqual([{ name: 'istio-base-prod' }]);
    expect(release.spec.valuesFrom).toEqual([
      { kind: 'ConfigMap', name: 'istiod-team-values', valuesKey: 'values.yaml' },
      { kind: 'ConfigMap', name: 'istiod-observability-values', valuesKey: 'values.yaml' },
    ]);
  });

  it('refuses a release range, a mesh not installed with Helm, and team values without manageIstiod', async () => {
    const refused = async (config: string[]): Promise<string[]> => {
      const error = await synthRepo(config, 'out').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigFileError);
      return (error as ConfigFileError).problems.map((p) =>
        [`${p.location.line}`, p.cluster ?? '-', p.field?.join('.'), p.what, p.expected].join(' | '),
      );
    };
    expect(
      await refused([
        'namespace: shop',
        'mesh: { install: helm }',
        'clusters: { prod: { istioVersion: "1.28" } }',
        'gitops: { repoURL: https://git.example.com/m.git, manageIstiod: true }',
      ]),
    ).toEqual([
      '3 | prod | istioVersion | names no patch, and a chart version range would upgrade istiod at every patch release | the exact release the control plane runs, MAJOR.MINOR.PATCH, e.g. 1.26.8',
    ]);
    expect(
      await refused([
        'istioVersion: "1.28.4"',
        'namespace: shop',
        'gitops: { repoURL: https://git.example.com/m.git, path: out, manageIstiod: true, istiodValueFiles: [v.yaml] }',
      ]),
    ).toEqual([
      "3 | - | gitops.manageIstiod | delivers Istio's Helm charts, and the mesh is installed with istioctl (mesh.install) | mesh.install: helm, or no manageIstiod",
    ]);
    expect(
      await refused([
        'istioVersion: "1.28.4"',
        'namespace: shop',
        'mesh: { install: helm }',
        'gitops: { repoURL: https://git.example.com/m.git, path: out, istiodValueFiles: [v.yaml] }',
      ]),
    ).toEqual([
      '4 | - | gitops.istiodValueFiles | lists values for an istiod chart this output does not deliver | gitops.manageIstiod: true, or your own Application or HelmRelease listing them before ours',
    ]);
  });
});
