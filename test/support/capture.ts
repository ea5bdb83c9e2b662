import type { Writer } from '../../cli/writer';

/** Runs a command with collecting writers: its exit status and everything it printed. */
export async function capture(
  run: (argv: string[], out: Writer, err: Writer) => Promise<number>,
  argv: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await run(argv, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) });
  return { status, stdout, stderr };
}
