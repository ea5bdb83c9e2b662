/**
 * What validation costs on the default stack: synth with every rule vs synth without, measured
 * in the same run and printed as ratios (never asserted; machines differ).
 *
 * - cold: a fresh process per synth (what `npm run synth` pays: loading CEL, Envoy's protos,
 *   the CRD schemas and kubernetes-models included);
 * - warm: repeated synths in one process (what a test suite or a long-lived tool pays).
 *
 * Run: npm run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthAtomically } from '../constructs/synth/atomic-synth';
import { defaultStack } from '../test/support/fixtures';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function once(validate: boolean): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  const start = performance.now();
  await synthAtomically(join(out, 'dist'), defaultStack, { validate });
  const elapsed = performance.now() - start;
  rmSync(out, { recursive: true, force: true });
  return elapsed;
}

function cold(validate: boolean): number {
  const start = performance.now();
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [__filename, '--child', String(validate)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return performance.now() - start;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await once(process.argv[3] === 'true');
    return;
  }
  const coldOff: number[] = [];
  const coldOn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    coldOff.push(cold(false));
    coldOn.push(cold(true));
  }
  await once(true); // load everything once
  const warmOff: number[] = [];
  const warmOn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    warmOff.push(await once(false));
    warmOn.push(await once(true));
  }
  const row = (name: string, off: number[], on: number[]) =>
    `${name}: without validation ${median(off).toFixed(0)} ms, with ${median(on).toFixed(0)} ms, ratio ${(median(on) / median(off)).toFixed(2)}`;
  console.log(`default stack, median of ${RUNS} runs each, measured in this run`);
  console.log(row('cold (fresh process)', coldOff, coldOn));
  console.log(row('warm (same process) ', warmOff, warmOn));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
