import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App, type AppProps } from 'cdk8s';
import { validateAppObjects } from '../validate/app-validator';
import { type Finding, ValidationFailedError } from '../validate/finding';

export interface SynthOptions extends Omit<AppProps, 'outdir'> {
  /**
   * Run every validation rule before writing (see constructs/validate).
   * @default true
   */
  readonly validate?: boolean;
}

export interface SynthReport {
  /** Non-fatal findings (pod restarts needed, deprecated mechanisms), sorted. */
  readonly warnings: readonly Finding[];
}

/**
 * Builds an app, validates everything it would write, and synthesizes it into `outdir`, so that
 * `outdir` is either left as it was (any error: a refused input, a failed rule, serialization,
 * I/O) or replaced whole by the new output.
 *
 * The app writes into a fresh staging folder next to `outdir` (same filesystem, so the final
 * renames are atomic); only a complete, valid synth is swapped in. A synth killed at any point
 * leaves `outdir` complete, old or new, except between the two renames of the swap, when `outdir`
 * is absent and the old output sits whole beside it: the next synth puts it back first.
 *
 * @throws ValidationFailedError with every finding when a rule reports an error
 */
export async function synthAtomically(
  outdir: string,
  build: (app: App) => void,
  options: SynthOptions = {},
): Promise<SynthReport> {
  const { validate = true, ...props } = options;
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  recoverInterruptedSynths(target);
  const staging = mkdtempSync(join(dirname(target), `${stagingPrefix(target)}${process.pid}-`));
  let warnings: Finding[] = [];
  try {
    const app = new App({ ...props, outdir: staging });
    build(app);
    if (validate) {
      const { findings, objects } = await validateAppObjects(app);
      if (findings.some((f) => f.severity === 'error')) throw new ValidationFailedError(findings);
      warnings = findings;
      // Write exactly the manifests the rules checked, and render each object once, not twice.
      for (const { apiObject, manifest } of objects)
        Object.defineProperty(apiObject, 'toJson', { value: () => manifest });
    }
    app.synth();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${staging}-previous`;
  let moved = false;
  try {
    renameSync(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }
  renameSync(staging, target);
  if (moved) rmSync(previous, { recursive: true, force: true });
  return { warnings };
}

/** `.dist-staging-`: staging folders are `.dist-staging-<pid>-<random>`, and `...-previous` while swapping. */
function stagingPrefix(target: string): string {
  return `.${basename(target)}-staging-`;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after synths of `target` that were killed: their staging folders are removed, and if
 * one died between its two renames (the only moment `target` does not exist), its `-previous`
 * folder, the complete earlier output, is put back. Folders of synths still running are left alone.
 */
function recoverInterruptedSynths(target: string): void {
  const prefix = stagingPrefix(target);
  for (const entry of readdirSync(dirname(target)).sort()) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(entry.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || isRunning(pid)) continue;
    const path = join(dirname(target), entry);
    if (entry.endsWith('-previous') && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}
