import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { type Document, isMap, isNode, LineCounter, type Node, parseDocument } from 'yaml';
import { isMapping } from '../json-values';
import { SCHEMAS_DIR } from '../schemas-dir';
import { describeAjvErrors } from '../validate/schema/ajv-messages';
import { precompiled } from '../validate/schema/precompiled';
import type { ClusterConfig, ObservabilityConfig } from './observability-config';

/** The published format of observability.yaml. */
export const CONFIG_SCHEMA_PATH = join(SCHEMAS_DIR, 'observability.schema.json');

/** A config file that cannot be read, parsed or does not match the schema; one line per problem. */
export class ConfigFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} error(s) in the config file:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

/** A parsed, schema-valid config file that can point at the line of any of its keys. */
export class ConfigFile {
  /** Reads, parses and validates `file`; throws {@link ConfigFileError} with every problem found. */
  static load(file: string): ConfigFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigFileError([`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`]);
    }
    return ConfigFile.parse(file, text);
  }

  /** Parses and validates `text` as the config file named `file`. */
  static parse(file: string, text: string): ConfigFile {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const source = new Locator(file, document, lineCounter);
    if (document.errors.length > 0) {
      throw new ConfigFileError(
        document.errors.map((e) => `${source.at(e.pos[0])}: ${e.message.split('\n')[0]} (expected valid YAML)`),
      );
    }
    const data: unknown = document.toJS();
    const validate = schemaValidator();
    if (!validate(data)) {
      const located = describeAjvErrors(validate.errors ?? [], data).map((line) => {
        const field = line.slice(0, line.indexOf(': '));
        const quote = / wrong type \(got [-\d.]+, expected string\)$/.test(line)
          ? '; hint: quote it, YAML reads an unquoted 1.17 as a number'
          : '';
        return { at: source.position(keyPathOf(field)), text: `${line}${quote}` };
      });
      located.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col || (a.text < b.text ? -1 : 1));
      throw new ConfigFileError(located.map(({ at, text }) => `${file}:${at.line}:${at.col}: ${text}`));
    }
    return new ConfigFile(data as ObservabilityConfig, source);
  }

  private constructor(
    /** The file's content, valid against schemas/observability.schema.json. */
    readonly config: ObservabilityConfig,
    private readonly locator: Locator,
  ) {}

  /** The file's name, as given. */
  get file(): string {
    return this.locator.file;
  }

  /** `file:line:column` of the key at `path` (the nearest existing ancestor when it is missing). */
  locate(path: readonly (string | number)[]): string {
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
    const { clusters = {}, gitops, ...shared } = this.config;
    const problems: string[] = [];
    if (gitops && Object.keys(clusters).length === 0) {
      problems.push(
        `${this.locate(['gitops'])}: gitops: delivers cluster folders, and the file names no clusters (expected a clusters: section)`,
      );
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
        for (const line of describeAjvErrors(validate.errors ?? [], merged)) {
          problems.push(`${locate(keyPathOf(line.slice(0, line.indexOf(': '))))}: clusters.${name}: ${line}`);
        }
        continue;
      }
      declarations.push({ name, config: merged as unknown as ObservabilityConfig, locate });
    }
    if (problems.length > 0) throw new ConfigFileError(problems);
    return declarations;
  }
}

/** One cluster's declaration, ready for an ObservabilityStack. */
export interface ClusterDeclaration {
  readonly name: string;
  readonly config: ObservabilityConfig;
  /** Locates a key of `config`: in the cluster's overrides when it sets it, else in the shared declaration. */
  readonly locate: (path: readonly (string | number)[]) => string;
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

  /** `file:line:column` of the key at `path` (the nearest existing ancestor when it is missing). */
  locate(path: readonly (string | number)[]): string {
    const { line, col } = this.position(path);
    return `${this.file}:${line}:${col}`;
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

  at(offset: number): string {
    const { line, col } = this.lineCounter.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }
}

/** The options the config schema is compiled with (here, and by scripts/compile-validators.ts). */
export const CONFIG_SCHEMA_AJV_OPTIONS = { allErrors: true, strict: true, verbose: true } as const;
/** Where scripts/compile-validators.ts writes the config schema's standalone validator. */
export const CONFIG_SCHEMA_VALIDATOR = 'own/observability.js';

let compiled: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  compiled ??=
    precompiled(CONFIG_SCHEMA_VALIDATOR)?.default ??
    new Ajv(CONFIG_SCHEMA_AJV_OPTIONS).compile(JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')));
  return compiled;
}

/** `metricDimensions.requests-dimensions.dimensions["a.b"][0]` → its key path. */
export function keyPathOf(field: string): (string | number)[] {
  const path: (string | number)[] = [];
  const re = /([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else if (m[3] !== undefined) path.push(JSON.parse(`"${m[3]}"`));
  }
  return path;
}
