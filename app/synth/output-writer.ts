import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOutputFolder, fileSystemError, lockOutputFolder, OUTPUT_MARKER, outputMarker } from './output-guard';
import type { OutputFolderRecord } from './output-record';

/**
 * Replacing an output folder all or nothing: written into a staging folder next to it (same
 * filesystem, so the final renames are atomic), then swapped in. A synth killed at any point
 * leaves the folder complete, old or new, except between the two renames of the swap, when it is
 * absent and the old output sits whole beside it: the next synth puts it back first.
 */

/**
 * Writes `files` (relative paths) into a fresh staging folder beside `target`, then swaps it in:
 * `target` is left as it was on any error, or replaced whole. The caller holds the folder's lock.
 */
export function writeStaged(
  outdir: string,
  target: string,
  files: Readonly<Record<string, string>>,
  records?: Readonly<Record<string, OutputFolderRecord>>,
): void {
  let staging: string;
  try {
    staging = mkdtempSync(join(dirname(target), `${stagingPrefix(target)}${process.pid}-`));
  } catch (error) {
    throw fileSystemError(outdir, error);
  }
  try {
    const all = { ...files, [OUTPUT_MARKER]: outputMarker(Object.keys(files), records) };
    const folders = new Set([staging]);
    for (const [file, content] of Object.entries(all)) {
      const folder = dirname(join(staging, file));
      if (!folders.has(folder)) mkdirSync(folder, { recursive: true });
      folders.add(folder);
      writeFileSync(join(staging, file), content);
    }
    // mkdtemp makes the folder 0700: keep the mode the output folder had, or the usual one.
    chmodSync(staging, existsSync(target) ? statSync(target).mode & 0o7777 : 0o777 & ~process.umask());
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw (error as NodeJS.ErrnoException).code ? fileSystemError(outdir, error) : error;
  }
  const previous = `${staging}-previous`;
  let moved = false;
  try {
    renameSync(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      rmSync(staging, { recursive: true, force: true });
      throw fileSystemError(outdir, error);
    }
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    // Put the old output back, so the folder is as it was.
    if (moved) renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    throw fileSystemError(outdir, error);
  }
  if (moved) rmSync(previous, { recursive: true, force: true });
}

/**
 * Takes `outdir`'s lock, after refusing a folder synth must not replace (it holds the current
 * folder or one of `protectedPaths`), and cleans up after synths of it that were killed. The
 * caller writes under the lock, then calls `unlock`.
 */
export function lockOutputFolderForSynth(
  outdir: string,
  protectedPaths: readonly string[] = [],
): { readonly target: string; readonly unlock: () => void } {
  const target = resolve(outdir);
  // Refuse a folder synth must not replace before anything is written anywhere.
  checkOutputFolder(outdir, protectedPaths);
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (error) {
    throw fileSystemError(outdir, error);
  }
  const unlock = lockOutputFolder(outdir, isRunning);
  try {
    // Under the lock: what another synth may have done meanwhile is final now.
    checkOutputFolder(outdir, protectedPaths);
    recoverInterruptedSynths(target);
  } catch (error) {
    unlock();
    throw error;
  }
  return { target, unlock };
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
