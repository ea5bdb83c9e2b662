import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import * as protojson from 'protobufjs/ext/protojson';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { type FieldPath, renderField } from '../../core/problems/field-path';
import { type Problem, statement, under } from '../../core/problems/problem';
import { SCHEMAS_DIR } from '../../core/schemas-dir';
import { bootstrapConfigMaps, parseBootstrapText } from '../../model/bootstrap-overrides';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * Envoy's own API protos, as shipped by @grpc/grpc-js-xds (deps/envoy-api, xds, googleapis,
 * protoc-gen-validate), plus google/protobuf/* from protobufjs.
 */
const INCLUDE_DIRS = (() => {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
    dirname(require.resolve('protobufjs/package.json')),
  ];
})();

/** The proto files that declare what every bootstrap override is read as: the Bootstrap and the Zipkin tracer. */
const ROOT_FILES = ['envoy/config/bootstrap/v3/bootstrap.proto', 'envoy/config/trace/v3/zipkin.proto'];

/**
 * {@link ROOT_FILES} as a protobufjs JSON descriptor, written by scripts/compile-envoy-descriptor.ts
 * from the same protos and held to them by test/envoy-descriptor.test.ts: read in about a third of
 * the time the .proto files take to parse, which every synth with a bootstrap override paid.
 */
export const ENVOY_DESCRIPTOR = join(SCHEMAS_DIR, 'envoy', 'bootstrap-descriptor.json');

/** {@link ROOT_FILES} parsed from the .proto files. */
export function envoyProtoRoot(): protobuf.Root {
  const parsed = new protobuf.Root();
  parsed.resolvePath = (_origin, target) => INCLUDE_DIRS.map((p) => join(p, target)).find(existsSync) ?? target;
  parsed.loadSync(ROOT_FILES);
  parsed.resolveAll();
  return parsed;
}

/** The text of {@link ENVOY_DESCRIPTOR} for the protos installed now. */
export function envoyDescriptorText(): string {
  return `${JSON.stringify(envoyProtoRoot().toJSON())}\n`;
}

/**
 * The types overrides are read as: from the descriptor, until an override names a type it lacks
 * (another tracer's `@type`); then from the .proto files, to which that type's file is added.
 */
let root: { readonly types: protobuf.Root; readonly parsed: boolean } | undefined;

function envoyRoot(): protobuf.Root {
  if (!root) {
    root = existsSync(ENVOY_DESCRIPTOR)
      ? { types: protobuf.Root.fromJSON(JSON.parse(readFileSync(ENVOY_DESCRIPTOR, 'utf8'))), parsed: false }
      : { types: envoyProtoRoot(), parsed: true };
  }
  return root.types;
}

/**
 * Loads the proto file that declares message `fullName` (e.g. `envoy.config.trace.v3.DatadogConfig`):
 * Envoy keeps each package in the folder of its name, so only that folder is searched.
 * @returns whether the type is known now
 */
function loadType(fullName: string): boolean {
  const name = fullName.slice(fullName.lastIndexOf('.') + 1);
  const folder = fullName.slice(0, fullName.lastIndexOf('.')).replace(/\./g, '/');
  for (const dir of INCLUDE_DIRS) {
    const path = join(dir, folder);
    if (!existsSync(path)) continue;
    for (const file of readdirSync(path)
      .filter((f) => f.endsWith('.proto'))
      .sort()) {
      if (!new RegExp(`^message ${name} \\{`, 'm').test(readFileSync(join(path, file), 'utf8'))) continue;
      // A descriptor's root knows no files, so it cannot take one whose imports it already holds.
      if (!root?.parsed) root = { types: envoyProtoRoot(), parsed: true };
      root.types.loadSync(`${folder}/${file}`);
      root.types.resolveAll();
      return true;
    }
  }
  return false;
}

/** What the bootstrap check found: why the text is not a Bootstrap, and accepted but non-canonical values. */
export interface BootstrapCheck {
  /** Why Envoy refuses it, or undefined when it parses. */
  readonly error?: string;
  /** Values Envoy accepts though the proto wants another JSON type, e.g. `"true"` for a bool. */
  readonly nonCanonical: readonly Problem[];
}

/**
 * Checks `text` as pilot-agent and Envoy read a bootstrap override: `$(HOST_IP)` substituted, YAML
 * or JSON (istio/istio@1.30.3:pkg/envoy/proxy.go readBootstrapToJSON), then ProtoJSON of `envoy.config.bootstrap.v3.Bootstrap`, strictly: unknown
 * fields, wrong types, unknown enum values and unknown `@type`s are errors. A bool written as the
 * string "true" or "false" is accepted: Envoy's JSON parser takes it (protobuf's C++ JSON parser
 * does; the seeds' lab showed `"traceId128bit": "true"` read as true), so it is reported as
 * non-canonical and parsing goes on with the boolean.
 */
export function checkBootstrap(text: string): BootstrapCheck {
  let json: unknown;
  try {
    json = parseBootstrapText(text.replace(/\$\(HOST_IP\)/g, '10.0.0.1'));
  } catch (error) {
    return {
      error: `is not JSON or YAML: ${(error as Error).message.split('\n')[0]?.replace(/:$/, '')}`,
      nonCanonical: [],
    };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { error: 'is not a JSON object', nonCanonical: [] };
  }
  json = structuredClone(json);
  const tried = new Set<string>();
  const nonCanonical: Problem[] = [];
  for (;;) {
    // Looked up on every try: loading a missing type may replace the root.
    const bootstrap = envoyRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap');
    try {
      protojson.fromJson(bootstrap, json);
      return { nonCanonical };
    } catch (error) {
      const message = (error as Error).message.replace(/^\./, '');
      const missing = /^no such type: (\S+)$/.exec(message)?.[1];
      if (missing && !tried.has(missing)) {
        tried.add(missing);
        if (loadType(missing)) continue;
      }
      const found = findMember(json, message);
      const stringBool = /expected boolean: "(true|false)"$/.exec(message)?.[1];
      // A google.protobuf.BoolValue names its own `value` field, not the member: try each quoted bool.
      const member = stringBool
        ? found && found.holder[found.key] === stringBool
          ? found
          : quotedBools(json, stringBool).find((candidate) => fixes(bootstrap, json, candidate, message))
        : undefined;
      if (member && stringBool) {
        member.holder[member.key] = stringBool === 'true';
        nonCanonical.push(
          statement(
            member.path,
            `is the string ${JSON.stringify(stringBool)} where Envoy's proto has a bool; Envoy's JSON parser accepts it, the canonical form is ${stringBool}`,
          ),
        );
        continue;
      }
      return {
        error: `is not a valid envoy.config.bootstrap.v3.Bootstrap: ${message}${found ? ` (at ${renderField(found.path)})` : ''}`,
        nonCanonical,
      };
    }
  }
}

/** Why `text` is not a valid Envoy bootstrap override, or undefined (see {@link checkBootstrap}). */
export function bootstrapProblem(text: string): string | undefined {
  return checkBootstrap(text).error;
}

interface JsonMember {
  readonly holder: Record<string, unknown>;
  readonly key: string;
  readonly path: FieldPath;
}

/** Every member whose value is the string `value`, in document order. */
function quotedBools(json: unknown, value: string, path: FieldPath = []): JsonMember[] {
  if (json === null || typeof json !== 'object') return [];
  return Object.entries(json).flatMap(([key, child]) => {
    const here = [...path, Array.isArray(json) ? Number(key) : key];
    if (child === value && !Array.isArray(json)) return [{ holder: json as Record<string, unknown>, key, path: here }];
    return quotedBools(child, value, here);
  });
}

/** Whether reading `candidate` as a boolean gets past the parse error `message`. */
function fixes(type: protobuf.Type, json: unknown, candidate: JsonMember, message: string): boolean {
  const before = candidate.holder[candidate.key];
  candidate.holder[candidate.key] = before === 'true';
  try {
    protojson.fromJson(type, json);
    return true;
  } catch (error) {
    // A string field that happens to hold "true" now fails as "expected string": not this one.
    const next = (error as Error).message.replace(/^\./, '');
    return next !== message && !/expected string/.test(next);
  } finally {
    candidate.holder[candidate.key] = before;
  }
}

/** The JSON member an error message is about: `tracing.http.typed_config.shared_spam_context`. */
function findMember(json: unknown, message: string): JsonMember | undefined {
  const field = /unknown field: "([^"]+)"/.exec(message)?.[1];
  const member = /\.(\w+): /.exec(message)?.[1];
  const type = /no such type: (\S+)/.exec(message)?.[1];
  const want = (key: string, value: unknown): boolean => {
    if (field) return key === field;
    if (type) return key === '@type' && value === `type.googleapis.com/${type}`;
    if (member) return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) === member.replace(/_/g, '');
    return false;
  };
  const search = (node: unknown, path: FieldPath): ReturnType<typeof findMember> => {
    if (node === null || typeof node !== 'object') return undefined;
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, Array.isArray(node) ? Number(key) : key];
      if (!Array.isArray(node) && want(key, value)) return { holder: node as Record<string, unknown>, key, path: here };
      const found = search(value, here);
      if (found) return found;
    }
    return undefined;
  };
  return search(json, []);
}

/** A broken override is only logged by pilot-agent and the pod runs without it (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, istio/istio#12436). */
export const envoyBootstrapRule: AppRule = {
  id: 'envoy-bootstrap',
  scope: 'object',
  summary: `Every ${CUSTOM_BOOTSTRAP_KEY} (a ConfigMap key named by ${BOOTSTRAP_OVERRIDE_ANNOTATION}) parses as Envoy's Bootstrap proto: pilot-agent only logs a broken override and starts the proxy without it. A bool written as the string "true" or "false" is accepted by Envoy and warned about as non-canonical.`,
  remediation: "Correct the bootstrap override to Envoy's Bootstrap proto; the finding names the field.",
  kinds: ['ConfigMap'],
  severity: 'error',
  docs: 'docs/validation.md#envoy-bootstrap',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const checks = new Map<string, BootstrapCheck>(); // workloads often share one override text
    for (const { path, value } of bootstrapConfigMaps(context.objects)) {
      if (typeof value !== 'string') continue; // object-schema refuses a non-string value
      if (!checks.has(value)) checks.set(value, checkBootstrap(value));
      const check = checks.get(value) as BootstrapCheck;
      for (const note of check.nonCanonical) {
        findings.push({ ...under(['data', CUSTOM_BOOTSTRAP_KEY], note), path, severity: 'warning' });
      }
      if (check.error) findings.push({ ...statement(['data', CUSTOM_BOOTSTRAP_KEY], check.error), path });
    }
    return findings;
  },
};
