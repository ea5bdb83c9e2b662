/**
 * Lint mode on large folders against its floor, reading and parsing the same YAML
 * (bench/yaml-parse-floor.cjs): time and peak memory, both in plain node, both one file at a time.
 * Folders: generated workloads (a Deployment with a proxy config annotation and a Service per
 * file, and the mesh's IstioOperator and Telemetry), and Istio's own files in ../shared/corpus
 * when it is there.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, PEAK_RSS_ARGS, type ProcessRun, ratio, run, table } from './measure';

const ROOT = resolve(__dirname, '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');

function workloadFile(i: number): string {
  const env = Array.from(
    { length: 12 },
    (_, k) => `            - { name: SETTING_${k}, value: "value ${k} of app ${i}" }`,
  );
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: app-${i}, namespace: team-${i % 20}, labels: { app: app-${i} } }`,
    'spec:',
    `  selector: { matchLabels: { app: app-${i} } }`,
    '  template:',
    '    metadata:',
    `      labels: { app: app-${i}, version: v1 }`,
    '      annotations:',
    '        proxy.istio.io/config: |',
    '          proxyStatsMatcher: { inclusionPrefixes: [upstream_cx] }',
    '    spec:',
    '      containers:',
    `        - name: app`,
    `          image: example.com/app-${i}:1.0`,
    '          env:',
    ...env,
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: { name: app-${i}, namespace: team-${i % 20} }`,
    'spec:',
    `  selector: { app: app-${i} }`,
    '  ports: [{ name: http, port: 80, targetPort: 8080 }]',
    '',
  ].join('\n');
}

const MESH = [
  'apiVersion: install.istio.io/v1alpha1',
  'kind: IstioOperator',
  'metadata: { name: mesh, namespace: istio-system }',
  'spec:',
  '  meshConfig:',
  '    defaultProviders: { metrics: [prometheus] }',
  '---',
  'apiVersion: telemetry.istio.io/v1',
  'kind: Telemetry',
  'metadata: { name: mesh-default, namespace: istio-system }',
  'spec:',
  '  metrics:',
  '    - providers: [{ name: prometheus }]',
  '      overrides:',
  '        - tagOverrides: { request_host: { value: request.host } }',
  '',
].join('\n');

function workloadFolder(files: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lint-'));
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'mesh.yaml'), MESH);
  for (let i = 0; i < files; i++)
    writeFileSync(join(dir, 'apps', `app-${String(i).padStart(5, '0')}.yaml`), workloadFile(i));
  return dir;
}

const COPIED_TAG = 'istio-1.26.8';
const COPIES = 20;

function copiedCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-corpus-'));
  for (let i = 0; i < COPIES; i++)
    cpSync(join(CORPUS, COPIED_TAG), join(dir, `copy-${String(i).padStart(2, '0')}`), { recursive: true });
  return dir;
}

interface Sample {
  readonly ms: number;
  readonly mb: number;
}

function sample(runs: number, args: readonly string[]): Sample {
  const results: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    // validate exits 1 when it finds errors (Istio's own test data has deliberate ones).
    results.push(run(process.execPath, [...PEAK_RSS_ARGS, ...args], { cwd: ROOT, okStatuses: [0, 1] }));
  }
  return { ms: median(results.map((r) => r.ms)), mb: median(results.map((r) => r.peakRssMb ?? Number.NaN)) };
}

export function lintFolders(runs: number, sizes: readonly number[]): string {
  const folders: { name: string; path: string; objects: string; cleanup: boolean; version: string }[] = sizes.map(
    (files) => ({
      name: `generated: ${files} workload files`,
      path: workloadFolder(files),
      objects: String(2 * files + 2),
      cleanup: true,
      version: '1.30',
    }),
  );
  if (existsSync(CORPUS)) {
    folders.push({
      name: "Istio's own files at three tags (../shared/corpus)",
      path: CORPUS,
      objects: '',
      cleanup: false,
      version: '1.26',
    });
    // A repository of real files, not generated ones: one tag's observability files 20 times over
    // (many are deliberately invalid test data, so the lint reports thousands of findings).
    folders.push({
      name: `${COPIED_TAG} files, ${COPIES} copies (../shared/corpus)`,
      path: copiedCorpus(),
      objects: '',
      cleanup: true,
      version: COPIED_TAG.replace(/^istio-(\d+\.\d+).*$/, '$1'),
    });
  }
  const rows: string[][] = [];
  try {
    for (const folder of folders) {
      const floor = sample(runs, ['bench/yaml-parse-floor.cjs', folder.path]);
      const lint = sample(runs, [
        'lib/cli/cdk8s-istio-observability.js',
        'validate',
        '--istio-version',
        folder.version,
        '--format',
        'json',
        folder.path,
      ]);
      const objects =
        folder.objects ||
        run(process.execPath, ['bench/yaml-parse-floor.cjs', folder.path], { cwd: ROOT }).stdout.trim();
      rows.push([
        folder.name,
        objects,
        `${floor.ms.toFixed(0)} / ${lint.ms.toFixed(0)}`,
        ratio(lint.ms, floor.ms),
        `${floor.mb.toFixed(0)} / ${lint.mb.toFixed(0)}`,
        ratio(lint.mb, floor.mb),
      ]);
    }
  } finally {
    for (const folder of folders) if (folder.cleanup) rmSync(folder.path, { recursive: true, force: true });
  }
  return table(
    [
      'folder',
      'objects',
      'time: YAML parse floor / lint (ms)',
      'time ratio (target ≤ 1.5x)',
      'peak RSS: floor / lint (MB)',
      'memory ratio (target ≤ 2x)',
    ],
    rows,
  );
}
