import { join, sep } from 'node:path';
import type { AppProps } from 'cdk8s';
import { REPORT_FILE } from '../../analysis/review/telemetry-report';
import { byCodePoint } from '../../core/merge/sorted-entries';
import { type Finding, sortFindings, ValidationFailedError } from '../../core/problems/finding';
import type { RenderedObject } from '../../model/objects';
import { validateAppObjects } from '../validate/app-validator';
import { ObservabilityApp, reportOf } from './observability-app';
import { outputFolderFiles } from './output-folder';
import type { OutputFolderRecord } from './output-record';
import { lockOutputFolderForSynth, writeStaged } from './output-writer';
import { type RenderedApp, renderApp } from './render-app';
import { recordOutputFolder } from './reviewed-warnings';

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
  build: (app: ObservabilityApp) => void,
  options: SynthOptions = {},
): Promise<SynthReport> {
  const { report = true, ...rest } = options;
  return synthUnitsAtomically(outdir, [{ folder: '', build }], {
    ...rest,
    ...(report
      ? {
          extraFiles: ([unit]): Record<string, string> =>
            unit ? { [REPORT_FILE]: reportOf(unit.app, unit.objects) } : {},
        }
      : {}),
  });
}

/** One app of a multi-app synth, written into a folder of the output (`''` for the output itself). */
export interface SynthUnit {
  /** e.g. `clusters/prod`; `''` for the output folder itself. */
  readonly folder: string;
  readonly build: (app: ObservabilityApp) => void;
  /**
   * The release the unit targets as declared (`1.26.8`), recorded for `validate`.
   * @default - its meshes' release, when they agree
   */
  readonly istioVersion?: string;
}

/** What one unit rendered, as checked by validation, for files written next to the manifests. */
export interface SynthesizedUnit {
  readonly folder: string;
  /** As the unit declared it. */
  readonly istioVersion?: string;
  readonly app: ObservabilityApp;
  readonly objects: readonly RenderedObject[];
}

export interface UnitsSynthOptions extends SynthOptions {
  /**
   * Files to write into the output besides the manifests (e.g. `REPORT.md`), by relative path,
   * from what every unit rendered. Written into the staging folder, so they are swapped in with it.
   */
  readonly extraFiles?: (units: readonly SynthesizedUnit[]) => Readonly<Record<string, string>>;
  /**
   * Record in the output's marker each folder's release and the warnings `validate` finds in
   * it, which this synth reports (reviewed-warnings.ts), so that `validate` of the folder checks
   * it as synth did. The command line's synth does; an app's own `synth()` cannot (it is not
   * async), and `synthAtomically` writes what it would.
   * @default false
   */
  readonly recordFolders?: boolean;
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
  const { validate = true, extraFiles, protectedPaths = [], recordFolders: record = false, ...props } = options;
  const { target, unlock } = lockOutputFolderForSynth(outdir, protectedPaths);
  try {
    return await synthUnder(outdir, target, units, { validate, extraFiles, record, props });
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
    readonly record: boolean;
    readonly props: Omit<AppProps, 'outdir'>;
  },
): Promise<SynthReport> {
  const { validate, extraFiles, record, props } = options;
  const warnings: Finding[] = [];
  const errors: Finding[] = [];
  const built: SynthesizedUnit[] = [];
  const rendered = new Map<SynthesizedUnit, RenderedApp>();
  for (const unit of units) {
    const app = new ObservabilityApp({ ...props, outdir: join(outdir, unit.folder), report: false });
    unit.build(app);
    let render: RenderedApp | undefined;
    if (validate) {
      const validation = await validateAppObjects(app);
      render = validation.rendered;
      const prefix = unit.folder === '' ? '' : `${unit.folder}/`;
      for (const finding of validation.findings) {
        const located = prefix ? { ...finding, path: `${prefix}${finding.path}` } : finding;
        (finding.severity === 'error' ? errors : warnings).push(located);
      }
    }
    if (errors.length > 0) continue;
    // Rendered once: the files hold exactly the manifests the rules checked.
    render ??= renderApp(app);
    const synthesized = {
      folder: unit.folder,
      app,
      objects: render.objects,
      ...(unit.istioVersion !== undefined ? { istioVersion: unit.istioVersion } : {}),
    };
    built.push(synthesized);
    rendered.set(synthesized, render);
  }
  if (errors.length > 0) throw new ValidationFailedError([...errors, ...warnings]);
  const files: Record<string, string> = {};
  for (const unit of built) {
    for (const [file, content] of Object.entries(outputFolderFiles(unit.app, rendered.get(unit) as RenderedApp)))
      files[join(unit.folder, file)] = content;
  }
  Object.assign(files, extraFiles?.(built) ?? {});
  writeStaged(outdir, target, files, record ? await recordFolders(built, files) : undefined);
  return { warnings: sortFindings(warnings) };
}

/**
 * Each unit folder's record for the marker (see reviewed-warnings.ts), from the files it writes:
 * a file belongs to the unit with the longest folder that holds it.
 */
async function recordFolders(
  units: readonly SynthesizedUnit[],
  files: Readonly<Record<string, string>>,
): Promise<Record<string, OutputFolderRecord>> {
  const folders = units.map((u) => u.folder).sort((a, b) => b.length - a.length);
  // Each file, `/`-separated and relative to the folder of the unit that owns it.
  const owned = new Map<string, Map<string, string>>(folders.map((folder) => [folder, new Map()]));
  for (const [file, text] of Object.entries(files)) {
    const path = file.split(sep).join('/');
    const owner = folders.find((folder) => folder === '' || path.startsWith(`${folder}/`));
    if (owner !== undefined) owned.get(owner)?.set(owner === '' ? path : path.slice(owner.length + 1), text);
  }
  const records: Record<string, OutputFolderRecord> = {};
  for (const unit of [...units].sort((a, b) => byCodePoint(a.folder, b.folder))) {
    records[unit.folder] = await recordOutputFolder(
      unit.app.node.findAll(),
      owned.get(unit.folder) ?? new Map(),
      unit.istioVersion,
    );
  }
  return records;
}
