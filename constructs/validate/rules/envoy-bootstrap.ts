import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import * as protojson from 'protobufjs/ext/protojson';
import { CUSTOM_BOOTSTRAP_KEY } from '../../bootstrap/bootstrap-override';
import { BOOTSTRAP_OVERRIDE_ANNOTATION } from '../../proxy-config/istio-pod-annotations';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { bootstrapConfigMaps, parseBootstrapText } from './rendered-objects';

/**
 * Envoy's own API protos, as shipped by @grpc/grpc-js-xds (deps/envoy-api, xds, googleapis,
 * protoc-gen-validate), plus google/protobuf/* from protobufjs. The bootstrap and the Zipkin
 * tracer are loaded on first use (≈80 ms); other `@type`s are loaded when an override names them.
 */
let root: protobuf.Root | undefined;
const INCLUDE_DIRS = (() => {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
    dirname(require.resolve('protobufjs/package.json')),
  ];
})();

function envoyRoot(): protobuf.Root {
  if (root) return root;
  root = new protobuf.Root();
  root.resolvePath = (_origin, target) => INCLUDE_DIRS.map((p) => join(p, target)).find(existsSync) ?? target;
  root.loadSync(['envoy/config/bootstrap/v3/bootstrap.proto', 'envoy/config/trace/v3/zipkin.proto']);
  root.resolveAll();
  return root;
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
      envoyRoot().loadSync(`${folder}/${file}`);
      envoyRoot().resolveAll();
      return true;
    }
  }
  return false;
}

/**
 * Why `text` is not a valid Envoy bootstrap override, or undefined. pilot-agent substitutes
 * `$(HOST_IP)`, reads YAML or JSON, and hands the result to Envoy (facts B.8); here the result
 * is parsed strictly as ProtoJSON of `envoy.config.bootstrap.v3.Bootstrap`, so unknown fields,
 * wrong types, unknown enum values and unknown `@type`s are refused.
 */
export function bootstrapProblem(text: string): string | undefined {
  let json: unknown;
  try {
    json = parseBootstrapText(text.replace(/\$\(HOST_IP\)/g, '10.0.0.1'));
  } catch (error) {
    return `is not JSON or YAML: ${(error as Error).message.split('\n')[0]?.replace(/:$/, '')}`;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'is not a JSON object';
  const bootstrap = envoyRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap');
  const tried = new Set<string>();
  for (;;) {
    try {
      protojson.fromJson(bootstrap, json);
      return undefined;
    } catch (error) {
      const message = (error as Error).message.replace(/^\./, '');
      const missing = /^no such type: (\S+)$/.exec(message)?.[1];
      if (missing && !tried.has(missing)) {
        tried.add(missing);
        if (loadType(missing)) continue;
      }
      return `is not a valid envoy.config.bootstrap.v3.Bootstrap: ${message}${locate(json, message)}`;
    }
  }
}

/** Points at the offending JSON member: `(at tracing.http.typed_config.shared_spam_context)`. */
function locate(json: unknown, message: string): string {
  const field = /unknown field: "([^"]+)"/.exec(message)?.[1];
  const member = /\.(\w+): /.exec(message)?.[1];
  const type = /no such type: (\S+)/.exec(message)?.[1];
  const want = (key: string, value: unknown): boolean => {
    if (field) return key === field;
    if (type) return key === '@type' && value === `type.googleapis.com/${type}`;
    if (member) return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) === member.replace(/_/g, '');
    return false;
  };
  const search = (node: unknown, path: string): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    for (const [key, value] of Object.entries(node)) {
      const here = Array.isArray(node) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      if (!Array.isArray(node) && want(key, value)) return here;
      const found = search(value, here);
      if (found) return found;
    }
    return undefined;
  };
  const at = search(json, '');
  return at ? ` (at ${at})` : '';
}

/** A broken override is only logged by pilot-agent and the pod runs without it (facts B.8, istio/istio#12436). */
export const envoyBootstrapRule: AppRule = {
  id: 'envoy-bootstrap',
  summary: `Every ${CUSTOM_BOOTSTRAP_KEY} (a ConfigMap key named by ${BOOTSTRAP_OVERRIDE_ANNOTATION}) parses as Envoy's Bootstrap proto: pilot-agent only logs a broken override and starts the proxy without it.`,
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const problems = new Map<string, string | undefined>(); // workloads often share one override text
    for (const { path, value } of bootstrapConfigMaps(context.objects)) {
      if (typeof value !== 'string') continue; // object-schema refuses a non-string value
      if (!problems.has(value)) problems.set(value, bootstrapProblem(value));
      const problem = problems.get(value);
      if (problem) findings.push({ path, message: `data["${CUSTOM_BOOTSTRAP_KEY}"]: ${problem}` });
    }
    return findings;
  },
};
