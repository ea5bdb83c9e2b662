/**
 * What validation costs on the default stack: synth with every rule vs synth without, measured
 * in the same run.
 *
 * - cold: a fresh process per synth (what `npm run synth` pays: loading CEL, Envoy's protos,
 *   the CRD schemas and kubernetes-models included);
 * - warm: repeated synths in one process (what a test suite or a long-lived tool pays).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthAtomically } from '../app/synth/atomic-synth';
import { defaultStack } from '../test/support/fixtures';
import { median, ratio, run, table } from './measure';

const ROOT = resolve(__dirname, '..');

async function once(validate: boolean): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  const start = performance.now();
  await synthAtomically(join(out, 'dist'), defaultStack, { validate });
  const elapsed = performance.now() - start;
  rmSync(out, { recursive: true, force: true });
  return elapsed;
}

function cold(validate: boolean): number {
  return run(join(ROOT, 'node_modules', '.bin', 'tsx'), [__filename, '--child', String(validate)], { cwd: ROOT }).ms;
}

/** The validation-cost table, as Markdown. */
export async function validationCost(runs: number): Promise<string> {
  const coldOff: number[] = [];
  const coldOn: number[] = [];
  for (let i = 0; i < runs; i++) {
    coldOff.push(cold(false));
    coldOn.push(cold(true));
  }
  await once(true); // load everything once
  const warmOff: number[] = [];
  const warmOn: number[] = [];
  for (let i = 0; i < runs; i++) {
    warmOff.push(await once(false));
    warmOn.push(await once(true));
  }
  const row = (name: string, off: number[], on: number[]) => [
    name,
    median(off).toFixed(0),
    median(on).toFixed(0),
    ratio(median(on), median(off)),
  ];
  return table(
    ['default stack', 'without validation (ms)', 'with validation (ms)', 'ratio'],
    [row('fresh process (`tsx`)', coldOff, coldOn), row('same process, repeated', warmOff, warmOn)],
  );
}

if (require.main === module && process.argv[2] === '--child') {
  once(process.argv[3] === 'true').catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
