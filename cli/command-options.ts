import { parseArgs } from 'node:util';
import type { Writer } from './writer';

/**
 * The string options of a command that takes files (`explain`, `import`, `plan`): parsed strictly
 * with `--help`, or the exit status the command ends with: 0 after printing the usage for
 * `--help`, 2 after printing the parser's complaint and the usage.
 */
export function parseCommandOptions<Name extends string>(
  argv: readonly string[],
  names: readonly Name[],
  usage: string,
  out: Writer,
  err: Writer,
): { readonly values: Partial<Record<Name, string>>; readonly positionals: readonly string[] } | number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    err.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  return { values: parsed.values as Partial<Record<Name, string>>, positionals: parsed.positionals };
}
