import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigFileError } from '../../app/config/config-file';
import { synthConfigFile } from '../../cli/synth';
import { runValidate } from '../../cli/validate';
import { ValidationFailedError } from '../../core/problems/finding';
import { readTree } from './synth';

/**
 * Configs synthesized as the CLI does, each in a fresh folder of one scratch directory (call
 * `remove` after the tests): `synthFiles` writes the files (the config is `observability.yaml`) and
 * synthesizes it into `out/`; `refusal` returns the problems of a refused synth, one line each, as
 * the CLI prints them after the location, relative to the case's folder.
 */
export function configCases(prefix: string) {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  let counter = 0;
  const synthFiles = async (files: Record<string, string>): Promise<{ dir: string; out: Record<string, string> }> => {
    const dir = join(scratch, `case-${counter++}`);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    await synthConfigFile(join(dir, 'observability.yaml'), join(dir, 'out'));
    return { dir, out: readTree(join(dir, 'out')) };
  };
  const refusal = async (files: Record<string, string>): Promise<string[]> => {
    const error = await synthFiles(files).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error instanceof ConfigFileError || error instanceof ValidationFailedError) {
      return error.message
        .split('\n')
        .slice(1)
        .map((l) => l.trim().replace(/^.*\/case-\d+\//, ''));
    }
    throw error ?? new Error('synth was not refused');
  };
  return { scratch, synthFiles, refusal, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

/** `validate`'s exit status and its lines, without the rules' explanations. */
export async function validateLines(args: readonly string[]): Promise<{ status: number; lines: string[] }> {
  let text = '';
  const writer = { write: (chunk: string) => (text += chunk) };
  const status = await runValidate(args, writer, writer);
  return { status, lines: text.split('\n').filter((l) => l !== '' && !l.startsWith('  ') && l !== 'why:') };
}
