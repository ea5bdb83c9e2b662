/**
 * One measurement of the scaling benchmark, in a fresh process (so peak memory is this run's):
 * builds N workloads (bare or observed) and synthesizes them into a scratch folder, twice, then
 * prints one JSON line with the time from the first construct to the last file written (first
 * and second run), the process's peak RSS after the first, and the serialization floor: the time `yaml.stringify` alone takes for the same documents
 * (with cdk8s's options), measured afterwards in the same process.
 *
 * Usage: tsx bench/workload-child.ts bare|observed|unvalidated <n> <outdir>
 * (`unvalidated`: the observed workloads with every rule off, to tell output volume from validation)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { synthAtomically } from '../app/synth/atomic-synth';
import { bareWorkloads, observedWorkloads } from './workloads';

export interface WorkloadMeasurement {
  /** First synth in the process: includes loading validators, schemas and Envoy's protos on first use. */
  readonly coldMs: number;
  /** Second synth of the same app shape in the same process. */
  readonly ms: number;
  readonly peakRssMb: number;
  readonly serializeMs: number;
  readonly documents: number;
  readonly bytes: number;
}

async function main(): Promise<void> {
  const [mode, count, outdir] = process.argv.slice(2);
  const n = Number(count);
  if (!['bare', 'observed', 'unvalidated'].includes(mode ?? '') || !Number.isInteger(n) || !outdir) {
    throw new Error('usage: workload-child.ts bare|observed|unvalidated <n> <outdir>');
  }
  const synth = async (): Promise<number> => {
    const start = performance.now();
    if (mode === 'bare') {
      const app = new App({ outdir });
      bareWorkloads(app, n);
      app.synth();
    } else {
      await synthAtomically(outdir, (app) => observedWorkloads(app, n), { validate: mode === 'observed' });
    }
    return performance.now() - start;
  };
  const coldMs = await synth();
  // Peak memory of a process that synthesizes once (what a CI job pays), before the second run.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const ms = await synth();

  // The floor: the documents just written, stringified again the way cdk8s does (Yaml.stringify).
  // Every object written: the folder's manifests and the installer input under install/ (not the
  // kustomization, the report or the synth record).
  const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort();
  const texts = files.map((file) => readFileSync(join(outdir, file), 'utf8'));
  const documents = texts.flatMap((text) => parseAllDocuments(text).map((doc) => doc.toJS()));
  const floorStart = performance.now();
  for (const doc of documents) stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' });
  const serializeMs = performance.now() - floorStart;

  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const result: WorkloadMeasurement = { coldMs, ms, peakRssMb, serializeMs, documents: documents.length, bytes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
