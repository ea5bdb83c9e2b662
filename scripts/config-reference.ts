// docs/config-reference.md, generated from schemas/observability.schema.json so the reference
// never drifts from what the loader accepts: `npm run docs:config` rewrites it and
// test/docs.test.ts checks it is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The subset of JSON Schema draft-07 the config schema uses. */
interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | boolean;
  readonly propertyNames?: Schema;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly $defs?: Readonly<Record<string, Schema>>;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

const ROOT = join(__dirname, '..');
const SCHEMA_FILE = join(ROOT, 'schemas', 'observability.schema.json');
export const CONFIG_REFERENCE_FILE = join(ROOT, 'docs', 'config-reference.md');

/** The reference page for the schema at `schemaFile`. */
export function configReference(schemaFile = SCHEMA_FILE): string {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;
  const defs = schema.$defs ?? {};
  const resolve = (s: Schema): Schema => {
    if (!s.$ref) return s;
    const name = s.$ref.replace(/^#\/\$defs\//, '');
    const target = s.$ref.startsWith('#/$defs/') ? defs[name] : refByPointer(schema, s.$ref);
    if (!target) throw new Error(`${s.$ref}: no such definition in ${schemaFile}`);
    // A $ref's own description (the property's) wins over the definition's.
    return { ...resolve(target), ...(s.description ? { description: s.description } : {}) };
  };
  const typeOf = (raw: Schema): string => {
    const named = raw.$ref?.startsWith('#/$defs/') ? raw.$ref.slice('#/$defs/'.length) : undefined;
    if (named) return `[${named}](#${named.toLowerCase()})`;
    const s = resolve(raw);
    if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
    if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
    if (s.oneOf) return s.oneOf.map(typeOf).join(' \\| ');
    if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
    if (s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object') {
      const entry = resolve(s.additionalProperties);
      const value = entry.properties ? 'object (fields below)' : typeOf(s.additionalProperties);
      return `map of \`<${keyName(s)}>\` to ${value}`;
    }
    return s.type ?? 'any';
  };
  const constraints = (raw: Schema): string => {
    const s = resolve(raw);
    const parts: string[] = [];
    if (s.pattern && !raw.$ref?.startsWith('#/$defs/')) parts.push(`pattern \`${s.pattern}\``);
    if (s.minimum !== undefined) parts.push(`minimum ${s.minimum}`);
    if (s.maximum !== undefined) parts.push(`maximum ${s.maximum}`);
    if (s.minItems) parts.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
    if (s.minProperties) parts.push(`at least ${s.minProperties} entr${s.minProperties === 1 ? 'y' : 'ies'}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  const rows = (raw: Schema, prefix: string): Row[] => {
    const s = resolve(raw);
    const out: Row[] = [];
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      if (key === '$schema') continue;
      const path = prefix ? `${prefix}.${key}` : key;
      out.push({
        path,
        type: typeOf(child),
        required: (s.required ?? []).includes(key),
        description: `${resolve(child).description ?? ''}${constraints(child)}`,
      });
      out.push(...nested(child, path));
    }
    return out;
  };
  // Objects inside a property: its own fields, or the fields of each entry of a keyed map.
  const nested = (raw: Schema, path: string): Row[] => {
    if (raw.$ref?.startsWith('#/$defs/')) return [];
    const s = resolve(raw);
    if (s.properties) return rows(s, path);
    if (typeof s.additionalProperties === 'object') {
      const entry = resolve(s.additionalProperties);
      if (entry.properties) return rows(entry, `${path}.<${keyName(s)}>`);
    }
    if (s.type === 'array' && s.items && resolve(s.items).properties) return rows(s.items, `${path}[]`);
    return [];
  };
  const table = (list: readonly Row[]): string[] => [
    '| field | type | required | description |',
    '| --- | --- | --- | --- |',
    ...list.map((r) => `| \`${r.path}\` | ${r.type} | ${r.required ? 'yes' : ''} | ${cell(r.description)} |`),
  ];

  const lines = [
    '<!-- Generated from schemas/observability.schema.json by `npm run docs:config`; do not edit. -->',
    '',
    '# Config file reference',
    '',
    `${schema.description ?? ''}`,
    '',
    'Start the file with `# yaml-language-server: $schema=<path to>/observability.schema.json` and',
    'editors with the YAML language server complete and check it as you type. Unknown keys are errors.',
    '',
    '## Top level',
    '',
    ...table(
      Object.entries(schema.properties ?? {})
        .filter(([key]) => key !== '$schema')
        .map(([key, child]) => ({
          path: key,
          type: typeOf(child),
          required: (schema.required ?? []).includes(key),
          description: `${resolve(child).description ?? ''}${constraints(child)}`,
        })),
    ),
  ];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const inner = nested(child, key);
    if (inner.length === 0) continue;
    lines.push('', `## ${key}`, '', cell(resolve(child).description ?? ''), '', ...table(inner));
  }
  lines.push('', '## Shared definitions');
  for (const [name, def] of Object.entries(defs)) {
    lines.push('', `### ${name}`);
    if (def.description) lines.push('', cell(def.description));
    const facts = [
      def.pattern ? `pattern \`${def.pattern}\`` : '',
      def.maxLength ? `at most ${def.maxLength} characters` : '',
    ].filter(Boolean);
    if (facts.length) lines.push('', `A string: ${facts.join(', ')}.`);
    if (def.enum) lines.push('', `One of ${typeOf(def)}.`);
    const inner = rows(def, name);
    if (inner.length) lines.push('', ...table(inner));
  }
  return `${lines.join('\n')}\n`;
}

/** What the keys of a keyed map are called in a path: `<id>` for construct ids, `<name>` otherwise. */
function keyName(s: Schema): string {
  return s.propertyNames?.$ref === '#/$defs/constructId' ? 'id' : 'name';
}

function refByPointer(root: Schema, ref: string): Schema | undefined {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node as Schema | undefined;
}

/** A table cell: pipes escaped, line breaks folded. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

if (require.main === module) writeFileSync(CONFIG_REFERENCE_FILE, configReference());
