/** Small helpers the benchmarks share: running a command and taking medians. */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export interface ProcessRun {
  readonly ms: number;
  readonly stdout: string;
  /** Peak resident memory in MB, when the process ran with bench/peak-rss.cjs preloaded. */
  readonly peakRssMb?: number;
}

/** Node arguments that make a node process report its peak RSS (see {@link ProcessRun.peakRssMb}). */
export const PEAK_RSS_ARGS = ['--require', `${__dirname}/peak-rss.cjs`];

/** Runs a command to completion and returns its wall time; a failing command fails the benchmark. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; okStatuses?: readonly number[] },
): ProcessRun {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (!(options.okStatuses ?? [0]).includes(result.status ?? -1)) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  }
  const rss = /^peak-rss-kb: (\d+)$/m.exec(result.stderr)?.[1];
  return { ms, stdout: result.stdout, ...(rss ? { peakRssMb: Number(rss) / 1024 } : {}) };
}

/** `1.84x` */
export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
