/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run, on the
 * same machine, the same way (never asserted in tests; machines differ).
 *
 * 1. The default stack, whole process: our app vs the cdk8s template's hello-world chart, both
 *    started the same way (`npx tsx`, and `node --import tsx` as our cdk8s.yaml does), and our
 *    app started with `npx ts-node` (the cdk8s template's default).
 * 2. What validation adds to the default stack (fresh process and same process).
 * 0. The packaged command line (`npm run build`, then `node <bin> synth`) against the hello-world
 *    chart compiled to JavaScript, both in plain node (bench/packaged.ts).
 * 3. N workloads (Deployment + Service each) with stats inclusion, dimensions, sampling, custom
 *    tags and a bootstrap override, synthesized and validated, vs the same N bare with
 *    cdk8s-plus-27: time, peak memory, scaling t(2000)/t(200), and the serialization floor
 *    (`yaml.stringify` of the same documents).
 * 4. Lint of large folders against reading and parsing their YAML: time and peak RSS (bench/lint.ts).
 *
 * Options (environment): BENCH_RUNS (default 5, process runs), BENCH_WORKLOAD_RUNS (default 3),
 * BENCH_N (default "200,1000,2000"), BENCH_LINT_FILES (default "3500,8000": 7,002 and 16,002 objects). `npm run bench -- --write` also records the tables in
 * bench/RESULTS.md, between its markers, with the date and the machine.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { lintFolders } from './lint';
import { median, ratio, run, table } from './measure';
import { packagedCli } from './packaged';
import { validationCost } from './validation-cost';
import type { WorkloadMeasurement } from './workload-child';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WORKLOAD_RUNS = Number(process.env.BENCH_WORKLOAD_RUNS ?? 3);
const SIZES = (process.env.BENCH_N ?? '200,1000,2000').split(',').map(Number);
const LINT_FILES = (process.env.BENCH_LINT_FILES ?? '3500,8000').split(',').map(Number);
const RESULTS = join(__dirname, 'RESULTS.md');
const NPM_ENV = { npm_config_loglevel: 'error' };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'bench-'));
}

/** Median wall time of a command in a fresh process, writing into a scratch folder each time. */
function medianWallTime(command: string, args: (out: string) => string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = scratch();
    times.push(run(command, args(join(out, 'dist')), { cwd: ROOT, env: NPM_ENV }).ms);
    rmSync(out, { recursive: true, force: true });
  }
  return median(times);
}

/** The ways a cdk8s app is started: cdk8s.yaml's `app:` line. */
const RUNNERS: readonly { readonly name: string; readonly command: string; readonly prefix: readonly string[] }[] = [
  { name: '`npx tsx`', command: 'npx', prefix: ['tsx'] },
  {
    name: '`node --import tsx` (our cdk8s.yaml, `npm run synth`)',
    command: process.execPath,
    prefix: ['--import', 'tsx'],
  },
];

function defaultStackProcesses(): string {
  const rows: string[][] = [];
  let ours = Number.NaN;
  for (const runner of RUNNERS) {
    const empty = medianWallTime(runner.command, () => [...runner.prefix, 'bench/hello-world/empty.ts']);
    const hello = medianWallTime(runner.command, (out) => [...runner.prefix, 'bench/hello-world/main.ts', out]);
    ours = medianWallTime(runner.command, (out) => [...runner.prefix, 'main.ts', '--out', out]);
    rows.push(
      [`${runner.name}: an empty script (the runner alone)`, empty.toFixed(0), ratio(empty, hello), ''],
      [`${runner.name}: hello-world chart (cdk8s template)`, hello.toFixed(0), '1.00x', ''],
      [`${runner.name}: default stack, every rule on`, ours.toFixed(0), ratio(ours, hello), '≤ 1.2x'],
    );
  }
  const tsNode = medianWallTime('npx', (out) => ['ts-node', 'main.ts', '--out', out]);
  rows.push([
    '`npx ts-node` (the cdk8s template default): default stack',
    tsNode.toFixed(0),
    '',
    `ours (last runner) is ${ratio(tsNode, ours)} faster; target ≥ 5x`,
  ]);
  return table(['whole process, median of runs', 'ms', 'vs hello-world, same runner', 'target'], rows);
}

function workload(mode: 'bare' | 'observed' | 'unvalidated', n: number): WorkloadMeasurement {
  const samples: WorkloadMeasurement[] = [];
  for (let i = 0; i < WORKLOAD_RUNS; i++) {
    const out = scratch();
    const { stdout } = run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['bench/workload-child.ts', mode, String(n), join(out, 'dist')],
      { cwd: ROOT },
    );
    rmSync(out, { recursive: true, force: true });
    samples.push(JSON.parse(stdout) as WorkloadMeasurement);
  }
  const pick = (key: keyof WorkloadMeasurement) => median(samples.map((s) => s[key]));
  return {
    coldMs: pick('coldMs'),
    ms: pick('ms'),
    peakRssMb: pick('peakRssMb'),
    serializeMs: pick('serializeMs'),
    documents: pick('documents'),
    bytes: pick('bytes'),
  };
}

/** The workload tables, at the sizes of `BENCH_N` unless given. */
export function workloadTables(sizes: readonly number[] = SIZES): string {
  const rows = sizes.map((n) => ({
    n,
    bare: workload('bare', n),
    observed: workload('observed', n),
    unvalidated: workload('unvalidated', n),
  }));
  const timing = table(
    [
      'N workloads',
      'bare cdk8s-plus (ms)',
      'with telemetry + validation (ms)',
      'time ratio',
      'same output, rules off (ms, ratio)',
      'first synth in process: bare / ours (ms)',
      'bare peak RSS (MB)',
      'ours peak RSS (MB)',
      'memory ratio',
    ],
    rows.map(({ n, bare, observed, unvalidated }) => [
      String(n),
      bare.ms.toFixed(0),
      observed.ms.toFixed(0),
      ratio(observed.ms, bare.ms),
      `${unvalidated.ms.toFixed(0)} (${ratio(unvalidated.ms, bare.ms)})`,
      `${bare.coldMs.toFixed(0)} / ${observed.coldMs.toFixed(0)} (${ratio(observed.coldMs, bare.coldMs)})`,
      bare.peakRssMb.toFixed(0),
      observed.peakRssMb.toFixed(0),
      ratio(observed.peakRssMb, bare.peakRssMb),
    ]),
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  const scaling =
    first && last && first !== last
      ? table(
          [`scaling t(${last.n}) / t(${first.n})`, 'bare', 'ours', 'target'],
          [
            [
              'synth in a warm process',
              ratio(last.bare.ms, first.bare.ms),
              ratio(last.observed.ms, first.observed.ms),
              '≤ 12x',
            ],
            [
              'first synth in a process',
              ratio(last.bare.coldMs, first.bare.coldMs),
              ratio(last.observed.coldMs, first.observed.coldMs),
              '',
            ],
          ],
        )
      : '';
  const floor = table(
    [
      'N workloads',
      'documents: bare / ours',
      'output bytes: bare / ours',
      '`yaml.stringify` alone: bare / ours (ms)',
      'synth vs its floor: bare / ours',
    ],
    rows.map(({ n, bare, observed }) => [
      String(n),
      `${bare.documents} / ${observed.documents}`,
      `${bare.bytes} / ${observed.bytes}`,
      `${bare.serializeMs.toFixed(0)} / ${observed.serializeMs.toFixed(0)}`,
      `${ratio(bare.ms, bare.serializeMs)} / ${ratio(observed.ms, observed.serializeMs)}`,
    ]),
  );
  return [timing, scaling, floor].filter(Boolean).join('\n\n');
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const sections: string[] = [];
  const section = (title: string, body: string) => {
    const text = `### ${title}\n\n${body}`;
    console.log(`${text}\n`);
    sections.push(text);
  };
  console.log(`Machine: ${machine()}; ${RUNS} process runs, ${WORKLOAD_RUNS} workload runs (medians)\n`);
  section('Packaged command line, plain node', packagedCli(RUNS));
  section('Default stack, whole process', defaultStackProcesses());
  section('What validation adds to the default stack', await validationCost(RUNS));
  section('N workloads vs bare cdk8s-plus-27 (second synth in a process; first in its own column)', workloadTables());
  section('Lint of large folders vs reading their YAML, plain node', lintFolders(Math.min(RUNS, 3), LINT_FILES));
  if (process.argv.includes('--write')) {
    const date = new Date().toISOString().slice(0, 10);
    const body = `Measured ${date} on ${machine()}, by \`npm run bench -- --write\` (medians of ${RUNS} process runs and ${WORKLOAD_RUNS} workload runs).\n\n${sections.join('\n\n')}`;
    const text = readFileSync(RESULTS, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${RESULTS} has no ${start} ... ${end} markers`);
    writeFileSync(RESULTS, `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`);
    console.log(`recorded in ${RESULTS}`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
