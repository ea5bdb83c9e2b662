// The output folder cannot destroy anything: synth replaces only a folder it owns (new, empty, or
// holding its marker with nothing added), keeps its mode, and refuses everything else in one line,
// before anything is written.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputFolderError } from '../app/synth/output-guard';
import { synthConfigFile } from '../cli/synth';
import { readTree } from './support/synth';

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'output-guard-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A fresh folder holding a copy of the default config. */
function project(): { dir: string; config: string } {
  const dir = join(scratch, `p${counter++}`);
  mkdirSync(dir);
  const config = join(dir, 'observability.yaml');
  copyFileSync(join(ROOT, 'observability.yaml'), config);
  return { dir, config };
}

/** The refusal's message, or undefined when the synth succeeded. */
async function refusal(config: string, out: string): Promise<string | undefined> {
  try {
    await synthConfigFile(config, out);
    return undefined;
  } catch (error) {
    if (error instanceof OutputFolderError) return error.message;
    throw error;
  }
}

describe('an output folder synth does not own', () => {
  it('is refused with one line, and nothing in it or beside it changes', async () => {
    const { dir, config } = project();
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    writeFileSync(join(repo, 'keep.txt'), 'mine\n');
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    const before = readTree(dir);
    const cases: [string, string][] = [
      [repo, `${repo}: holds .git: it is a repository, not an output folder; give a folder of its own, e.g. dist`],
      [dir, `${dir}: holds ${config}, which replacing it would delete; give another folder`],
      ['/', '/: is the root of the file system; give a folder of its own, e.g. dist'],
      [scratch, `${scratch}: holds ${config}, which replacing it would delete; give another folder`],
      [config, `${config}: holds ${config}, which replacing it would delete; give another folder`],
      [join(dir, 'keep.txt'), `${join(dir, 'keep.txt')}: is a file, not a folder; give a folder, e.g. dist`],
      [ROOT, `${ROOT}: holds the current folder, which replacing it would delete; give a folder of its own, e.g. dist`],
    ];
    for (const [out, message] of cases) expect(await refusal(config, out)).toBe(message);
    expect(readTree(dir)).toEqual(before);
  });

  it('refuses a symbolic link, which would become a folder', async () => {
    const { dir, config } = project();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'dist'));
    expect(await refusal(config, join(dir, 'dist'))).toBe(
      `${join(dir, 'dist')}: is a symbolic link to ${join(dir, 'real')}, which a synth would replace by a folder; give the folder it points to`,
    );
    expect(await refusal(config, join(dir, 'real'))).toBeUndefined();
  });

  it('refuses a non-empty folder it did not write, and one where files were added, naming them', async () => {
    const { dir, config } = project();
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.md'), 'mine\n');
    expect(await refusal(config, out)).toBe(
      `${out}: is not empty and no synth of this tool wrote it (no .cdk8s-istio-observability.json): it holds notes.md; give an empty or new folder; if an earlier version of this tool wrote it, delete it once`,
    );
    rmSync(join(out, 'notes.md'));
    expect(await refusal(config, out)).toBeUndefined();
    writeFileSync(join(out, 'README.md'), 'mine\n');
    expect(await refusal(config, out)).toBe(
      `${out}: holds files an earlier synth did not write, which replacing it would delete: README.md; move them out of the output folder`,
    );
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('mine\n');
  });
});

describe('an output folder synth owns', () => {
  it('is replaced whole, with its mode kept and its marker listing what was written', async () => {
    const { dir, config } = project();
    const out = join(dir, 'dist');
    mkdirSync(out);
    chmodSync(out, 0o750);
    expect(await refusal(config, out)).toBeUndefined();
    expect(await refusal(config, out)).toBeUndefined();
    expect(statSync(out).mode & 0o777).toBe(0o750);
    expect(JSON.parse(readFileSync(join(out, '.cdk8s-istio-observability.json'), 'utf8')).files).toEqual(
      Object.keys(readTree(out)).sort(),
    );
  });

  it('is written by one synth at a time: a second fails in one line while the first holds the lock', async () => {
    const { dir, config } = project();
    const out = join(dir, 'dist');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, '.dist.lock'), `${holder.pid}\n`);
      expect(await refusal(config, out)).toBe(
        `${out}: another synth (pid ${holder.pid}) is writing it now; run again when it has finished`,
      );
    } finally {
      holder.kill();
    }
    await new Promise((r) => holder.once('exit', r));
    // The lock of a synth that is gone is taken over, and released at the end.
    expect(await refusal(config, out)).toBeUndefined();
    expect(() => statSync(join(dir, '.dist.lock'))).toThrow();
  });
});

describe('the command line', () => {
  it('says in one true line why the folder cannot be written, and writes nothing', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'notes'), 'a file\n');
    const out = join(dir, 'notes', 'dist');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `synth failed, ${out}/ left unchanged:\n${out}: cannot be written: a path component is a file, not a folder (${out})\n`,
    );
    expect(readTree(dir)).toEqual({
      notes: 'a file\n',
      'observability.yaml': readFileSync(join(ROOT, 'observability.yaml'), 'utf8'),
    });
  });

  it('names a folder given with a trailing slash once: "./", not ".//"', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'bad.yaml'), 'istioVersion: "1.99"\nnamespace: shop\n');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'),
        join(ROOT, 'main.ts'),
        '--config',
        'bad.yaml',
        '--out',
        './',
      ],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe('synth failed, ./ left unchanged:');
  });
});
