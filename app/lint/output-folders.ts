import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { OUTPUT_MARKER } from '../synth/output-guard';
import { type OutputFolderRecord, reviewedKey } from '../synth/output-record';

/**
 * Files to lint together against one release: those of one folder a synth wrote (a cluster's,
 * the GitOps objects', or an output folder itself), or every other file given.
 */
export interface LintGroup {
  readonly files: readonly string[];
  /** The release synth recorded for the folder; absent for files of no recorded release. */
  readonly istioVersion?: string;
  /** The folder, as given or found above the files (`examples/two-clusters/clusters/dev`). */
  readonly folder?: string;
  /** Keys (reviewedKey) of the warnings synth reported for the folder's objects. */
  readonly reviewed: ReadonlySet<string>;
}

interface Marker {
  readonly root: string;
  readonly folders: Readonly<Record<string, OutputFolderRecord>>;
}

/**
 * Sorts `files` (in the order given) into the folders synth wrote, found by the marker
 * (`.cdk8s-istio-observability.json`) in the file's folder or one above it, and the rest.
 * A marker without folder records (an earlier version's) groups nothing.
 */
export function groupByOutputFolder(files: readonly string[]): LintGroup[] {
  const markers = new Map<string, Marker | undefined>(); // by folder: the marker that governs it
  const markerOf = (dir: string): Marker | undefined => {
    if (markers.has(dir)) return markers.get(dir);
    let found: Marker | undefined;
    const path = join(dir, OUTPUT_MARKER);
    if (existsSync(path)) found = readMarker(dir, path);
    else if (dirname(dir) !== dir) found = markerOf(dirname(dir));
    markers.set(dir, found);
    return found;
  };
  const groups = new Map<string, { files: string[]; record?: OutputFolderRecord; folder?: string }>();
  for (const file of files) {
    const marker = markerOf(dirname(resolve(file)));
    const rel = marker ? relative(marker.root, resolve(file)).split(sep).join('/') : '';
    const folder = marker
      ? Object.keys(marker.folders)
          .filter((f) => f === '' || rel.startsWith(`${f}/`))
          .sort((a, b) => b.length - a.length)[0]
      : undefined;
    const key = marker && folder !== undefined ? join(marker.root, folder) : '';
    let group = groups.get(key);
    if (!group) {
      group =
        marker && folder !== undefined
          ? {
              files: [],
              record: marker.folders[folder] as OutputFolderRecord,
              folder: shown(join(marker.root, folder)),
            }
          : { files: [] };
      groups.set(key, group);
    }
    group.files.push(file);
  }
  return [...groups.values()].map((g) => ({
    files: g.files,
    ...(g.record?.istioVersion !== undefined ? { istioVersion: g.record.istioVersion } : {}),
    ...(g.folder !== undefined ? { folder: g.folder } : {}),
    reviewed: new Set((g.record?.reviewed ?? []).map(reviewedKey)),
  }));
}

/** A folder as the user would name it: relative to the working directory when inside it. */
function shown(folder: string): string {
  const rel = relative('.', folder);
  return rel === '' ? '.' : rel.startsWith('..') ? folder : rel.split(sep).join('/');
}

function readMarker(root: string, path: string): Marker | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { generatedBy?: unknown; folders?: unknown };
    if (
      parsed.generatedBy !== 'cdk8s-istio-observability' ||
      typeof parsed.folders !== 'object' ||
      parsed.folders === null
    ) {
      return undefined;
    }
    return { root, folders: parsed.folders as Record<string, OutputFolderRecord> };
  } catch {
    return undefined; // not ours to read: its files are linted like any others
  }
}
