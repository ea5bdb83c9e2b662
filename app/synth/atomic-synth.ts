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
import { ApiObject, App, type AppProps } from 'cdk8s';
import { REPORT_FILE, telemetryReport } from '../../analysis/review/telemetry-report';
import { builtMeshes } from '../../core/contracts/istio-mesh';
import { type Finding, sortFindings, ValidationFailedError } from '../../core/problems/finding';
import type { Manifest, RenderedObject } from '../../model/objects';
import { validateAppObjects } from '../validate/app-validator';
import { outputFolderFiles } from './output-folder';
import { checkOutputFolder, fileSystemError, lockOutputFolder, OUTPUT_MARKER, outputMarker } from './output-guard';

export interface SynthOptions extends Omit<AppProps, 'outdir'> {
  /**
   * Run every validation rule before writing (see analysis/rule-catalog.ts).
   * @default true
   */
  readonly validate?: boolean;
  /**
   * Write `REPORT.md` (what each workload gets, from where, when a change takes effect) beside
   * the manifests, as the command line's synth does.
   * @default true
   */
  readonly report?: boolean;
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
  const { report = true, ...rest } = options;
  return synthUnitsAtomically(outdir, [{ folder: '', build }], {
    ...rest,
    ...(report
      ? {
          extraFiles: ([unit]) => {
            const versions = builtMeshes(unit?.app.node.findAll() ?? []).map((m) => m.istioVersion);
            const istioVersion = [...new Set(versions)].join(', ') || 'not declared';
            return { [REPORT_FILE]: telemetryReport([{ istioVersion, objects: unit?.objects ?? [] }]) };
          },
        }
      : {}),
  });
}

/** One app of a multi-app synth, written into a folder of the output (`''` for the output itself). */
export interface SynthUnit {
  /** e.g. `clusters/prod`; `''` for the output folder itself. */
  readonly folder: string;
  readonly build: (app: App) => void;
}

/** What one unit rendered, as checked by validation, for files written next to the manifests. */
export interface SynthesizedUnit {
  readonly folder: string;
  readonly app: App;
  readonly objects: readonly RenderedObject[];
}

export interface UnitsSynthOptions extends SynthOptions {
  /**
   * Files to write into the output besides the manifests (e.g. `REPORT.md`), by relative path,
   * from what every unit rendered. Written into the staging folder, so they are swapped in with it.
   */
  readonly extraFiles?: (units: readonly SynthesizedUnit[]) => Readonly<Record<string, string>>;
  /**
   * Files the output folder must not contain (e.g. the config file): synth refuses a folder
   * that holds one, since replacing it would delete it.
   * @default - none
   */
  readonly protectedPaths?: readonly string[];
}

/**
 * {@link synthAtomically} for several apps, each into its own folder of `outdir` (one per cluster,
 * and one for the GitOps objects): every app is validated before anything is written, findings
 * are reported with the unit's folder in their path, and `outdir` is replaced whole or not at all.
 */
export async function synthUnitsAtomically(
  outdir: string,
  units: readonly SynthUnit[],
  options: UnitsSynthOptions = {},
): Promise<SynthReport> {
  const { validate = true, extraFiles, protectedPaths = [], ...props } = options;
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
    return await synthUnder(outdir, target, units, { validate, extraFiles, props });
  } finally {
    unlock();
  }
}

async function synthUnder(
  outdir: string,
  target: string,
  units: readonly SynthUnit[],
  options: {
    readonly validate: boolean;
    readonly extraFiles: UnitsSynthOptions['extraFiles'];
    readonly props: Omit<AppProps, 'outdir'>;
  },
): Promise<SynthReport> {
  const { validate, extraFiles, props } = options;
  let staging: string;
  try {
    staging = mkdtempSync(join(dirname(target), `${stagingPrefix(target)}${process.pid}-`));
  } catch (error) {
    throw fileSystemError(outdir, error);
  }
  const warnings: Finding[] = [];
  try {
    const built: { folder: string; app: App; objects: readonly RenderedObject[] }[] = [];
    const errors: Finding[] = [];
    for (const unit of units) {
      const app = new App({ ...props, outdir: join(staging, unit.folder) });
      unit.build(app);
      let objects: readonly RenderedObject[] = [];
      if (validate) {
        const validation = await validateAppObjects(app);
        objects = validation.objects;
        const prefix = unit.folder === '' ? '' : `${unit.folder}/`;
        for (const finding of validation.findings) {
          const located = prefix ? { ...finding, path: `${prefix}${finding.path}` } : finding;
          (finding.severity === 'error' ? errors : warnings).push(located);
        }
      } else {
        objects = app.node
          .findAll()
          .filter((c): c is ApiObject => c instanceof ApiObject)
          .map((o) => ({ path: o.node.path, apiObject: o, manifest: o.toJson() as Manifest }));
      }
      // Write exactly the manifests the rules checked, and render each object once, not twice.
      for (const { apiObject, manifest } of objects)
        if (apiObject) Object.defineProperty(apiObject, 'toJson', { value: () => manifest });
      built.push({ folder: unit.folder, app, objects });
    }
    if (errors.length > 0) throw new ValidationFailedError([...errors, ...warnings]);
    const files: Record<string, string> = {};
    for (const { folder, app, objects } of built) {
      for (const [file, content] of Object.entries(outputFolderFiles(app, objects)))
        files[join(folder, file)] = content;
    }
    Object.assign(files, extraFiles?.(built) ?? {});
    files[OUTPUT_MARKER] = outputMarker(Object.keys(files));
    const folders = new Set([staging]);
    for (const [file, content] of Object.entries(files)) {
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
  return { warnings: sortFindings(warnings) };
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
