import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, parse, relative, resolve, sep } from 'node:path';
import type { OutputFolderRecord } from './output-record';

/**
 * The file every synth writes into its output folder: the list of files it wrote. A later synth
 * replaces only a folder that holds it (or an empty one), and only when nothing else was added.
 */
export const OUTPUT_MARKER = '.cdk8s-istio-observability.json';

/** Why synth will not write to an output folder, or could not: one line, true about the folder. */
export class OutputFolderError extends Error {
  constructor(
    /** The output folder, as given. */
    readonly folder: string,
    /** What is wrong, e.g. `holds .git: it is a repository, not an output folder`. */
    readonly what: string,
    /** What to do instead. */
    readonly hint?: string,
  ) {
    super(`${folder}: ${what}${hint ? `; ${hint}` : ''}`);
    this.name = 'OutputFolderError';
  }
}

/**
 * The marker's content for the files of one synth, sorted: part of the byte-stable output. With
 * `folders`, what `validate` needs to check each folder as synth did (reviewed-warnings.ts).
 */
export function outputMarker(files: readonly string[], folders?: Readonly<Record<string, OutputFolderRecord>>): string {
  const listed = [...files, OUTPUT_MARKER].map((f) => f.split(sep).join('/')).sort();
  return `${JSON.stringify({ generatedBy: 'cdk8s-istio-observability', files: listed, ...(folders ? { folders } : {}) }, null, 2)}\n`;
}

/** Every file under `dir`, relative, with `/` separators. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(join(dir, entry.name), path) : [path];
  });
}

const listed = (names: readonly string[]) =>
  names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;

/**
 * Refuses an output folder synth must not replace: the file system's root, a symbolic link, a
 * regular file, a folder holding `.git`, the current folder or the config (or a folder above
 * them), a non-empty folder no synth of this tool wrote, or one holding files it did not write.
 *
 * @param folder as the user gave it, for messages
 * @param protectedPaths files the output must not contain, e.g. the config file
 */
export function checkOutputFolder(folder: string, protectedPaths: readonly string[] = []): void {
  const target = resolve(folder);
  if (target === parse(target).root) {
    throw new OutputFolderError(folder, 'is the root of the file system', 'give a folder of its own, e.g. dist');
  }
  const inside = (path: string) => {
    const rel = relative(target, resolve(path));
    return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
  };
  if (inside(process.cwd())) {
    throw new OutputFolderError(
      folder,
      'holds the current folder, which replacing it would delete',
      'give a folder of its own, e.g. dist',
    );
  }
  for (const path of protectedPaths) {
    if (inside(path)) {
      throw new OutputFolderError(folder, `holds ${path}, which replacing it would delete`, 'give another folder');
    }
  }
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileSystemError(folder, error);
  }
  if (stat.isSymbolicLink()) {
    throw new OutputFolderError(
      folder,
      `is a symbolic link to ${readlinkSync(target)}, which a synth would replace by a folder`,
      'give the folder it points to',
    );
  }
  if (!stat.isDirectory()) {
    throw new OutputFolderError(folder, 'is a file, not a folder', 'give a folder, e.g. dist');
  }
  if (existsSync(join(target, '.git'))) {
    throw new OutputFolderError(
      folder,
      'holds .git: it is a repository, not an output folder',
      'give a folder of its own, e.g. dist',
    );
  }
  const present = filesUnder(target);
  if (present.length === 0) return;
  const marker = join(target, OUTPUT_MARKER);
  if (!existsSync(marker)) {
    throw new OutputFolderError(
      folder,
      `is not empty and no synth of this tool wrote it (no ${OUTPUT_MARKER}): it holds ${listed(present)}`,
      'give an empty or new folder; if an earlier version of this tool wrote it, delete it once',
    );
  }
  let written: readonly string[];
  try {
    written = (JSON.parse(readFileSync(marker, 'utf8')) as { files?: string[] }).files ?? [];
  } catch {
    throw new OutputFolderError(folder, `has a ${OUTPUT_MARKER} that is not the list an earlier synth wrote`);
  }
  const foreign = present.filter((f) => !written.includes(f));
  if (foreign.length > 0) {
    throw new OutputFolderError(
      folder,
      `holds files an earlier synth did not write, which replacing it would delete: ${listed(foreign)}`,
      'move them out of the output folder',
    );
  }
}

/** A file-system error as one line about the folder. */
export function fileSystemError(folder: string, error: unknown): OutputFolderError {
  const e = error as NodeJS.ErrnoException;
  const reasons: Readonly<Record<string, string>> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    ENOTDIR: 'a path component is a file, not a folder',
    EEXIST: 'exists already',
  };
  const reason = (e.code && reasons[e.code]) ?? e.message;
  return new OutputFolderError(folder, `cannot be written: ${reason}${e.path ? ` (${e.path})` : ''}`);
}

/**
 * Takes the output folder's lock (`.<folder>.lock` beside it, holding the pid) for one synth; a
 * second synth of the same folder fails while the first runs. A lock whose process is gone is
 * taken over. Returns the release.
 */
export function lockOutputFolder(folder: string, isRunning: (pid: number) => boolean): () => void {
  const target = resolve(folder);
  const lock = join(dirname(target), `.${basename(target)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(folder, error);
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new OutputFolderError(
          folder,
          `another synth (pid ${pid}) is writing it now`,
          'run again when it has finished',
        );
      }
      rmSync(lock, { force: true }); // its synth is gone
    }
  }
  throw new OutputFolderError(folder, 'its lock could not be taken');
}
