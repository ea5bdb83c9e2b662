import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { readTree } from './support/synth';

const ROOT = resolve(__dirname, '..');
const HOOK = join(__dirname, 'support', 'kill-at-fs-call.cjs');
/** The new output: the 1.30 example. The old output in the folder: dist/ (the 1.17 default stack). */
const NEW_CONFIG = join(ROOT, 'examples', 'istio-1.30.yaml');
const OLD_OUTPUT = join(ROOT, 'dist');
const NEW_OUTPUT = join(ROOT, 'examples', 'istio-1.30');

const scratch = mkdtempSync(join(tmpdir(), 'atomic-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const OLD = readTree(OLD_OUTPUT);
const NEW = readTree(NEW_OUTPUT);

/** A parent folder holding `dist/` with the old output. */
function folderWithOldOutput(name: string): { parent: string; out: string } {
  const parent = join(scratch, name);
  mkdirSync(parent, { recursive: true });
  const out = join(parent, 'dist');
  cpSync(OLD_OUTPUT, out, { recursive: true });
  return { parent, out };
}

/** `node main.ts` (via tsx) synthesizing the 1.30 example into `out`, with the fs-call hook preloaded. */
function synthArgs(out: string): string[] {
  return ['--require', HOOK, '--import', 'tsx', 'main.ts', '--config', NEW_CONFIG, '--out', out];
}

function runSynth(out: string, env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, synthArgs(out), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** What a reader of the folder sees after the kill: the old output, the new one, or (between the two renames) none. */
function stateAfterKill(parent: string, out: string): 'old' | 'new' | 'absent, old kept beside it' | 'partial' {
  if (!existsSync(out)) {
    const kept = readdirSync(parent).filter((e) => e.endsWith('-previous'));
    return kept.length === 1 && JSON.stringify(readTree(join(parent, kept[0] as string))) === JSON.stringify(OLD)
      ? 'absent, old kept beside it'
      : 'partial';
  }
  const tree = JSON.stringify(readTree(out));
  if (tree === JSON.stringify(OLD)) return 'old';
  if (tree === JSON.stringify(NEW)) return 'new';
  return 'partial';
}

/** The next synth, in this process: it recovers what the killed one left and writes the new output whole. */
async function nextSynth(parent: string, out: string): Promise<void> {
  await synthConfigFile(NEW_CONFIG, out);
  expect(readTree(out)).toEqual(NEW);
  expect(readdirSync(parent)).toEqual(['dist']);
}

describe('a synth killed while writing', () => {
  const counted = runSynth(folderWithOldOutput('count').out, { KILL_UNDER: join(scratch, 'count') });
  const calls = Number(/fs-calls: (\d+)/.exec(counted.stderr)?.[1]);

  it('makes the file-system calls the test kills at: staging folder, one write per chart file, the swap', () => {
    expect(counted.status).toBe(0);
    // mkdir of the parent, the lock, mkdtemp of the staging folder, mkdir of install/, 7 files
    // (the IstioOperator, 3 charts, kustomization.yaml, REPORT.md, the marker), 2 renames, the
    // removal of the old output, the lock's removal
    expect(calls).toBe(15);
  });

  it.each(Array.from({ length: 15 }, (_, i) => i + 1))(
    'before file-system call %i of 15 leaves dist/ old or new, never partial; the next synth finishes the job',
    async (at) => {
      const { parent, out } = folderWithOldOutput(`kill-${at}`);
      const run = runSynth(out, { KILL_UNDER: parent, KILL_AT: String(at) });
      expect(run.signal).toBe('SIGKILL');
      // Before the first rename the old output is untouched; the second rename is the swap.
      const expected = at <= 12 ? 'old' : at === 13 ? 'absent, old kept beside it' : 'new';
      expect(stateAfterKill(parent, out)).toBe(expected);
      await nextSynth(parent, out);
    },
    // Two synths in child processes: a ceiling for a loaded machine, not a measure.
    120_000,
  );

  it('by a SIGKILL from outside at any moment of its run leaves dist/ old or new', async () => {
    const { parent, out } = folderWithOldOutput('timed');
    const start = Date.now();
    expect(runSynth(out, {}).status).toBe(0);
    const duration = Date.now() - start;
    const seen: string[] = [];
    // Ten moments spread over a whole run, the last ones in the write phase at its end.
    for (let i = 1; i <= 10; i++) {
      rmSync(out, { recursive: true, force: true });
      cpSync(OLD_OUTPUT, out, { recursive: true });
      const child = spawn(process.execPath, synthArgs(out), { cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      await new Promise((resolveWait) => setTimeout(resolveWait, (duration * i) / 10));
      child.kill('SIGKILL'); // a no-op if it has finished
      await exited;
      const state = stateAfterKill(parent, out);
      seen.push(state);
      expect(state).not.toBe('partial');
      await nextSynth(parent, out);
    }
    expect(seen).toContain('old');
  }, 600_000);
});
