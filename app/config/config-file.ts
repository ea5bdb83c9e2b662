import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { type Document, isMap, isNode, LineCounter, type Node, parseDocument } from 'yaml';
import { describeAjvErrors } from '../../analysis/schema/ajv-messages';
import { precompiled } from '../../analysis/schema/precompiled';
import { isMapping } from '../../core/json-values';
import { keysOf } from '../../core/problems/field-path';
import { type Finding, formatFinding } from '../../core/problems/finding';
import { describeProblem, describeProblemWithHint, type Problem } from '../../core/problems/problem';
import { renderLocation, type SourceLocation } from '../../core/problems/source-location';
import { keyAt } from '../../core/problems/yaml-keys';
import { SCHEMAS_DIR } from '../../core/schemas-dir';
import type { ClusterConfig, ObservabilityConfig } from './observability-config';

/** The published format of observability.yaml. */
export const CONFIG_SCHEMA_PATH = join(SCHEMAS_DIR, 'observability.schema.json');

/** One problem with a config file, at a place in it. */
export interface ConfigProblem extends Problem {
  readonly location: SourceLocation;
  /** The cluster whose declaration (shared sections with its overrides) has the problem. */
  readonly cluster?: string;
}

/** `obs.yaml:5:15: clusters.prod: field: got ..., expected ...; hint: ...` */
export function formatConfigProblem(problem: ConfigProblem): string {
  const cluster = problem.cluster === undefined ? '' : `clusters.${problem.cluster}: `;
  return `${renderLocation(problem.location)}: ${cluster}${describeProblemWithHint(problem)}`;
}

/** A config file that cannot be read, parsed or does not match the schema; one line per problem. */
export class ConfigFileError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    /**
     * The file without the entries the schema refused, when the rest still matches it, so the
     * rest can be checked too instead of hiding behind the first stage's errors.
     */
    readonly partial?: ConfigFile,
    /** What checking the rest found (errors only), with their locations. */
    readonly laterFindings: readonly Finding[] = [],
  ) {
    super(
      `${problems.length} error(s) in the config file:\n${problems.map((p) => `  ${formatConfigProblem(p)}`).join('\n')}` +
        (laterFindings.length > 0
          ? `\n${laterFindings.length} error(s) in the rest of the observability configuration:\n${laterFindings.map((f) => `  ${formatFinding(f)}`).join('\n')}`
          : ''),
    );
    this.name = 'ConfigFileError';
  }

  /** The same problems, with what checking the rest of the file found. */
  withLaterFindings(findings: readonly Finding[]): ConfigFileError {
    return new ConfigFileError(this.problems, this.partial, findings);
  }
}

/**
 * Sections whose entries are independent pieces: one the schema refuses can be left out and the
 * rest checked. (workloads are targets of other pieces, and the other sections are one piece.)
 */
const PIECE_SECTIONS = [
  'statsInclusion',
  'metricDimensions',
  'metricDefinitions',
  'attributeGenerators',
  'traceSampling',
  'zipkinTracers',
  'openTelemetryTracers',
  'customTraceTags',
  'bootstrapOverrides',
];

/**
 * Backends nothing else in the file depends on: one the schema refuses can be left out too.
 * (Prometheus is read by every other backend; tracers default to the generated Jaeger.)
 */
const DETACHABLE_BACKENDS = ['kiali', 'grafana', 'scrapeConfig', 'prometheusOperator'];

/** A parsed, schema-valid config file that can point at the line of any of its keys. */
export class ConfigFile {
  /** Reads, parses and validates `file`; throws {@link ConfigFileError} with every problem found. */
  static load(file: string): ConfigFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigFileError([
        { location: { file }, what: `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})` },
      ]);
    }
    return ConfigFile.parse(file, text);
  }

  /** Parses and validates `text` as the config file named `file`. */
  static parse(file: string, text: string): ConfigFile {
    // Refused before parsing: the parser's recursion would run out of stack at a depth that
    // depends on the stack left, so the error and its place would not be the same on every run.
    const tooDeep = flowNestingOverflow(text);
    if (tooDeep !== undefined) {
      const before = text.slice(0, tooDeep);
      throw new ConfigFileError([
        {
          location: {
            file,
            line: before.split('\n').length,
            column: tooDeep - before.lastIndexOf('\n'),
          },
          what: `opens a collection ${MAX_FLOW_NESTING + 1} levels deep`,
          expected: `at most ${MAX_FLOW_NESTING} levels of [ ] and { } (a config needs a few)`,
        },
      ]);
    }
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const source = new Locator(file, document, lineCounter);
    if (document.errors.length > 0) {
      throw new ConfigFileError(
        document.errors.map((e) => {
          // The parser names no key; read it where the repeated one starts.
          const key = e.code === 'DUPLICATE_KEY' ? keyAt(text, e.pos[0]) : undefined;
          return key !== undefined
            ? {
                location: source.at(e.pos[0]),
                what: `repeats the key ${JSON.stringify(key)} of this mapping`,
                expected: 'each key once',
              }
            : { location: source.at(e.pos[0]), ...yamlErrorText(e.message) };
        }),
      );
    }
    let data: unknown;
    try {
      data = document.toJS();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ConfigFileError([{ location: { file }, ...yamlErrorText(error.message) }]);
    }
    const validate = schemaValidator();
    if (!validate(data)) {
      const located = describeAjvErrors(validate.errors ?? [], data).map(
        (found): ConfigProblem => ({
          ...found,
          ...(readsAsNumber(found) ? { hint: 'quote it, YAML reads an unquoted 1.17 as a number' } : {}),
          location: source.locate(keysOf(found.field ?? [])),
        }),
      );
      throw new ConfigFileError(sortByLocation(located), withoutRefusedPieces(data, located, validate, source));
    }
    return new ConfigFile(data as ObservabilityConfig, source);
  }

  /** @internal the rest of a file whose refused pieces were left out */
  static partialOf(config: ObservabilityConfig, locator: Locator): ConfigFile {
    return new ConfigFile(config, locator);
  }

  private constructor(
    /** The file's content, valid against schemas/observability.schema.json. */
    readonly config: ObservabilityConfig,
    private readonly locator: Locator,
  ) {}

  /** The file's own declaration, for a file that names no clusters (the schema then requires istioVersion). */
  get declaration(): TargetedConfig {
    const { istioVersion } = this.config;
    if (istioVersion === undefined) throw new Error('a declaration without clusters has an istioVersion (schema)');
    return { ...this.config, istioVersion };
  }

  /** The file's name, as given. */
  get file(): string {
    return this.locator.file;
  }

  /** Where the key at `path` is (the nearest existing ancestor when it is missing). */
  locate(path: readonly (string | number)[]): SourceLocation {
    return this.locator.locate(path);
  }

  /**
   * The declaration of each cluster under `clusters:`, in name order: the shared sections with the
   * cluster's `istioVersion` and `overrides` merged over them (mappings key by key, lists and
   * values replaced, null removes), each checked against the schema again. Keys a cluster
   * overrides are located in its overrides. Empty when the file names no clusters.
   * @throws ConfigFileError with every problem of every cluster
   */
  clusters(): ClusterDeclaration[] {
    const { clusters = {}, gitops, istioVersion, ...shared } = this.config;
    const problems: ConfigProblem[] = [];
    if (istioVersion !== undefined && Object.keys(clusters).length > 0) {
      // Each cluster names its release: a shared one would be silently overruled by every cluster.
      problems.push({
        location: this.locate(['istioVersion']),
        field: ['istioVersion'],
        value: istioVersion,
        what: 'is not read when clusters: is set, since each cluster names its own release',
        expected: 'no top-level istioVersion, and clusters.<name>.istioVersion for each cluster',
      });
    }
    if (gitops?.cluster !== undefined && Object.keys(clusters).length > 0) {
      // Each cluster folder is delivered to the Argo CD cluster of its name.
      problems.push({
        location: this.locate(['gitops', 'cluster']),
        field: ['gitops', 'cluster'],
        value: gitops.cluster,
        what: 'is not read when clusters: is set, since each folder goes to the cluster of its name',
        expected: 'no gitops.cluster, or no clusters: section',
      });
    }
    const declarations: ClusterDeclaration[] = [];
    for (const name of Object.keys(clusters).sort()) {
      const cluster = clusters[name] as ClusterConfig;
      const merged = mergeOverrides(
        { ...shared, istioVersion: cluster.istioVersion },
        (cluster.overrides ?? {}) as Record<string, unknown>,
      );
      const locate = (path: readonly (string | number)[]) => {
        const overridden = ['clusters', name, 'overrides', ...path];
        if (path[0] === 'istioVersion') return this.locate(['clusters', name, 'istioVersion']);
        return this.locator.has(overridden.slice(0, 4)) ? this.locate(overridden) : this.locate(path);
      };
      const validate = schemaValidator();
      if (!validate(merged)) {
        for (const found of describeAjvErrors(validate.errors ?? [], merged)) {
          problems.push({ ...found, location: locate(keysOf(found.field ?? [])), cluster: name });
        }
        continue;
      }
      declarations.push({ name, config: merged as unknown as TargetedConfig, locate });
    }
    if (problems.length > 0) throw new ConfigFileError(problems);
    return declarations;
  }
}

/** A declaration with its target release: the file's own (the schema requires it without clusters), or a cluster's. */
export type TargetedConfig = ObservabilityConfig & { readonly istioVersion: string };

/** One cluster's declaration, ready for an ObservabilityStack. */
export interface ClusterDeclaration {
  readonly name: string;
  readonly config: TargetedConfig;
  /** Locates a key of `config`: in the cluster's overrides when it sets it, else in the shared declaration. */
  readonly locate: (path: readonly (string | number)[]) => SourceLocation;
}

/** `base` with `overrides` merged in: mappings key by key, lists and values replaced, null removes the key. */
export function mergeOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    if (value === null) delete merged[key];
    else if (isMapping(value) && isMapping(current)) merged[key] = mergeOverrides(current, value);
    else merged[key] = value;
  }
  return merged;
}

/** Finds where a key of a parsed YAML document is (config files, and manifests in lint mode). */
export class Locator {
  constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Where the key at `path` is (the nearest existing ancestor when it is missing). */
  locate(path: readonly (string | number)[]): SourceLocation {
    const { line, col } = this.position(path);
    return { file: this.file, line, column: col };
  }

  /** True when the document has a key at `path`. */
  has(path: readonly (string | number)[]): boolean {
    return this.document.hasIn(path);
  }

  /** Line and column (1-based) of the key at `path`, or of its nearest existing ancestor. */
  position(path: readonly (string | number)[]): { line: number; col: number } {
    for (let depth = path.length; depth > 0; depth--) {
      const parent = depth > 1 ? this.document.getIn(path.slice(0, depth - 1), true) : this.document.contents;
      const key = path[depth - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isNode(p.key) && (p.key as Node & { value: unknown }).value === key);
        if (pair && isNode(pair.key) && pair.key.range) return this.lineCounter.linePos(pair.key.range[0]);
      }
      const node = this.document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.lineCounter.linePos(node.range[0]);
    }
    const root = this.document.contents;
    return this.lineCounter.linePos(isNode(root) && root.range ? root.range[0] : 0);
  }

  at(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }
}

/** The options the config schema is compiled with (here, and by scripts/compile-validators.ts). */
export const CONFIG_SCHEMA_AJV_OPTIONS = { allErrors: true, strict: true, verbose: true } as const;

/**
 * Keywords of the config schema that only annotate: `tsType` is read by json-schema-to-typescript
 * (scripts/generate-config-types.ts) where JSON Schema cannot say the TypeScript type exactly.
 */
export const CONFIG_SCHEMA_ANNOTATIONS: readonly string[] = ['tsType'];

/** An ajv for the config schema: its options and its annotation keywords. */
export function configSchemaAjv(options: { readonly source?: boolean } = {}): Ajv {
  const ajv = new Ajv({ ...CONFIG_SCHEMA_AJV_OPTIONS, ...(options.source ? { code: { source: true } } : {}) });
  for (const keyword of CONFIG_SCHEMA_ANNOTATIONS) ajv.addKeyword(keyword);
  return ajv;
}
/** Where scripts/compile-validators.ts writes the config schema's standalone validator. */
export const CONFIG_SCHEMA_VALIDATOR = 'own/observability.js';

let compiled: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  compiled ??=
    precompiled(CONFIG_SCHEMA_VALIDATOR)?.default ??
    configSchemaAjv().compile(JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')));
  return compiled;
}

/** A number where the schema wants a string: YAML reads an unquoted `1.17` as the number 1.17. */
function readsAsNumber(found: Problem): boolean {
  return found.what === 'wrong type' && found.expected === 'string' && typeof found.value === 'number';
}

/** In file order: line, column, then the message. */
function sortByLocation(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p) => ({ p, text: describeProblem(p) }))
    .sort(
      (a, b) =>
        (a.p.location.line ?? 0) - (b.p.location.line ?? 0) ||
        (a.p.location.column ?? 0) - (b.p.location.column ?? 0) ||
        (a.text < b.text ? -1 : 1),
    )
    .map(({ p }) => p);
}

/** Flow collections (`[`, `{`) a config may nest; a real one nests a handful. */
const MAX_FLOW_NESTING = 64;

/**
 * The offset of the bracket that opens a flow collection deeper than {@link MAX_FLOW_NESTING},
 * or undefined. Brackets inside quoted scalars and comments are not counted.
 */
function flowNestingOverflow(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > MAX_FLOW_NESTING) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '\n' && depth === 0) quote = undefined;
  }
  return undefined;
}

/**
 * What a YAML error says, for one line. The parser reports running out of stack on deep nesting
 * as the engine's "Maximum call stack size exceeded"; say what it means instead.
 */
function yamlErrorText(message: string): { what: string; expected: string } {
  if (/call stack/i.test(message)) {
    return {
      what: 'nests collections more deeply than a YAML parser can follow',
      expected: 'a config nested a few levels deep',
    };
  }
  return { what: message.split('\n')[0] ?? message, expected: 'valid YAML' };
}

/**
 * `data` without the pieces the schema refused, when every problem is inside one piece of a
 * section of pieces (or one backend nothing else depends on) and the rest matches the schema;
 * undefined otherwise.
 */
function withoutRefusedPieces(
  data: unknown,
  problems: readonly ConfigProblem[],
  validate: (data: unknown) => boolean,
  locator: Locator,
): ConfigFile | undefined {
  if (!isMapping(data)) return undefined;
  const rest: Record<string, unknown> = { ...data };
  for (const { field } of problems) {
    const [section, id] = keysOf(field ?? []);
    if (typeof section !== 'string' || typeof id !== 'string') return undefined;
    const detachable = PIECE_SECTIONS.includes(section) || (section === 'backends' && DETACHABLE_BACKENDS.includes(id));
    if (!detachable) return undefined;
    const entries = rest[section];
    if (!isMapping(entries)) return undefined;
    const { [id]: _refused, ...kept } = entries;
    rest[section] = kept;
  }
  return validate(rest) ? ConfigFile.partialOf(rest as ObservabilityConfig, locator) : undefined;
}
