import { Construct } from 'constructs';
import { type AccessLogSink, formatStringProblems } from '../../core/checks/envoy-log-format';
import type { CelSite } from '../../core/contracts/construct-sources';
import { problem } from '../../core/errors';
import { ALL_PROXY_KINDS } from '../../core/istio/proxy-kind';
import { sortedEntries } from '../../core/merge/sorted-entries';
import { refuseInput } from '../../core/problems/construct-problems';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import type { VersionPolicy } from '../../core/version/version-policy';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { AccessLogFormatConfig, MeshExtensionProvider } from '../overlays/istio-operator';
import { ProxyTarget } from '../proxy-config/proxy-target';
import {
  parseCollectorAddress,
  providerNameProblem,
  providerProblems,
  providerService,
} from '../tracing/tracing-provider';

/**
 * An access log format built from Envoy command operators: a format string (`text`), or a JSON
 * object whose values are format strings (`json`). Checked against Envoy's operators, which it
 * must use only as `%NAME%`, `%NAME(param)%` or `%NAME(param):length%`.
 */
export interface AccessLogFormat {
  /** e.g. `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%" %RESPONSE_CODE%`. */
  readonly text?: string;
  /** e.g. `{ status: '%RESPONSE_CODE%', path: '%REQ(:PATH)%' }`. */
  readonly json?: Readonly<Record<string, string>>;
}

/** Envoy's file access log: a file or a standard stream of the proxy container. */
export interface FileAccessLogProps {
  /** The extension provider's name. @default 'access-log-file' */
  readonly name?: string;
  /** @default '/dev/stdout' (collected with the container's logs) */
  readonly path?: string;
  /** @default - Istio's default text format */
  readonly format?: AccessLogFormat;
}

/** Envoy's OpenTelemetry access log service (OTLP/gRPC logs). */
export interface OpenTelemetryAccessLogProps {
  /** The extension provider's name. @default 'otel-access-log' */
  readonly name?: string;
  /** The collector as `service.namespace:port`, e.g. `opentelemetry-collector.observability:4317`. */
  readonly address: string;
  /** The log's name in OpenTelemetry. @default - Istio's `otel_envoy_accesslog` */
  readonly logName?: string;
  /** The log body (`text`) or its attributes (`json`). @default - Istio's default text format */
  readonly format?: AccessLogFormat;
}

/** Props of {@link AccessLogging}. */
export interface AccessLoggingProps {
  readonly mesh: IstioMesh;
  /** Whose proxies log: the mesh, a namespace or a workload. @default ProxyTarget.mesh() */
  readonly target?: ProxyTarget;
  /**
   * Write the log with Envoy's file logger. With neither this nor `openTelemetry`, the log goes to
   * Istio's built-in `envoy` provider (the file logger on /dev/stdout, Istio's default format).
   * @default - Istio's built-in `envoy` provider
   */
  readonly file?: FileAccessLogProps;
  /** Send the log to an OpenTelemetry collector instead. @default - none */
  readonly openTelemetry?: OpenTelemetryAccessLogProps;
  /**
   * A CEL condition on Envoy's attributes: only requests and connections for which it is true are
   * logged, e.g. `response.code >= 400`.
   * @default - everything is logged
   */
  readonly filter?: string;
  /** Turn access logging off for the target's proxies (over a broader target's). @default false */
  readonly disabled?: boolean;
  /**
   * Also log each L4 connection of ambient pods at ztunnel when it opens (its log filter
   * `info,access=debug`; at its default level it logs each connection when it closes). ztunnel has
   * no Telemetry API and one log level per node, so only a mesh target may set it.
   * @default false
   */
  readonly ztunnel?: boolean;
}

const DEFAULT_FILE_PROVIDER = 'access-log-file';
const DEFAULT_OTEL_PROVIDER = 'otel-access-log';
/** Istio's built-in provider in every release's default mesh config (istio/istio@1.30.3:pkg/config/mesh/mesh.go). */
const BUILT_IN_PROVIDER = 'envoy';

/**
 * The access log of a target's proxies: a Telemetry `accessLogging` entry for the target, naming an
 * extension provider (`envoyFileAccessLog` or `envoyOtelAls`, defined in meshConfig) or Istio's
 * built-in `envoy` provider, with the CEL `filter` and `disabled`, on every release
 * (istio/api@1.17.8:telemetry/v1alpha1/telemetry.proto lines 613-655 AccessLogging; istiod builds it
 * per workload from 1.17, istio/istio@1.17.8:pilot/pkg/model/telemetry.go). A Telemetry with only
 * access logging adds no stats filter, so it sits beside 1.17's IstioOperator metrics.
 *
 * Istio does not add a narrower log to a broader one: the narrowest Telemetry that names providers
 * replaces the providers it inherits (mergeLogs, istio/istio@1.31.0-rc.0:pilot/pkg/model/
 * telemetry.go lines 617-652, the same since 1.17). A workload log to OpenTelemetry next to a
 * mesh-wide one on stdout sends that workload's log to OpenTelemetry only; REPORT.md shows each
 * workload's log with the one it replaced.
 *
 * Formats are checked against Envoy's command operators and the filter, like every CEL expression
 * here, against the target release's attributes: istiod drops a log whose format or filter Envoy
 * refuses, and says so only in its own log.
 */
export class AccessLogging extends Construct {
  readonly mesh: IstioMesh;
  readonly target: ProxyTarget;
  private readonly filter?: string;

  constructor(scope: Construct, id: string, props: AccessLoggingProps) {
    super(scope, id);
    const { mesh } = props;
    this.mesh = mesh;
    this.target = props.target ?? ProxyTarget.mesh();
    this.filter = props.filter;
    const problems: Problem[] = [...this.target.problems(['target'])];
    if (props.file && props.openTelemetry) {
      problems.push(problem(['openTelemetry'], props.openTelemetry, 'file or openTelemetry, not both'));
    }
    if (props.disabled === true && (props.file || props.openTelemetry || props.filter !== undefined)) {
      problems.push(problem(['disabled'], true, 'disabled alone: a disabled log has no provider or filter'));
    }
    const file = props.file;
    if (file) {
      const path = file.path ?? '/dev/stdout';
      if (!/^\/\S+$/.test(path)) problems.push(problem(['file', 'path'], path, 'an absolute path, e.g. /dev/stdout'));
      const name = file.name === undefined ? undefined : providerNameProblem(['file', 'name'], file.name);
      if (name) problems.push(name);
      problems.push(...formatProblems(['file', 'format'], file.format, mesh.policy, 'file'));
    }
    const otel = props.openTelemetry;
    if (otel) {
      problems.push(
        ...providerProblems(
          otel.name ?? DEFAULT_OTEL_PROVIDER,
          otel.address,
          'opentelemetry-collector.observability:4317',
        ).map((p) => ({ ...p, field: ['openTelemetry', ...(p.field ?? [])] })),
      );
      problems.push(...formatProblems(['openTelemetry', 'format'], otel.format, mesh.policy, 'opentelemetry'));
    }
    if (props.ztunnel === true && this.target.kind !== 'mesh') {
      problems.push(
        problem(['ztunnel'], true, 'ztunnel: true on a mesh target only', {
          what: `sets ztunnel's log level, which is one per node for every ambient pod, and the target is ${this.target.description}`,
        }),
      );
    } else if (props.ztunnel === true && !mesh.install.ambientInstall) {
      problems.push(
        problem(['ztunnel'], true, 'ztunnel: true in a mesh with an ambient namespace', {
          what: 'logs connections at ztunnel, and no namespace of this mesh runs ambient',
        }),
      );
    }
    if (refuseInput(this, problems)) return;
    if (props.ztunnel === true) mesh.install.ambientInstall?.logConnections(this);

    if (props.disabled === true) {
      mesh.telemetry.addAccessLogging(this, this.target, { disabled: true });
      return;
    }
    const provider = this.provider(props);
    if (provider) mesh.install.addExtensionProvider(this, provider);
    mesh.telemetry.addAccessLogging(this, this.target, {
      provider: provider?.name ?? BUILT_IN_PROVIDER,
      ...(props.filter !== undefined ? { filter: props.filter } : {}),
    });
  }

  /** The filter, checked by the cel-expression rule against the release's attributes. */
  celExpressions(): readonly CelSite[] {
    if (this.filter === undefined) return [];
    return [{ field: ['filter'], expression: this.filter, result: 'bool', proxies: ALL_PROXY_KINDS }];
  }

  private provider(props: AccessLoggingProps): MeshExtensionProvider | undefined {
    if (props.file) {
      const { name, path, format } = props.file;
      return {
        name: name ?? DEFAULT_FILE_PROVIDER,
        envoyFileAccessLog: {
          path: path ?? '/dev/stdout',
          ...(format ? { logFormat: formatConfig(format) } : {}),
        },
      };
    }
    if (props.openTelemetry) {
      const { name, address, logName, format } = props.openTelemetry;
      const parsed = parseCollectorAddress(address);
      if (!parsed) return undefined;
      return {
        name: name ?? DEFAULT_OTEL_PROVIDER,
        envoyOtelAls: {
          service: providerService(parsed.host, this.mesh),
          port: parsed.port,
          ...(logName !== undefined ? { logName } : {}),
          ...(format ? { logFormat: formatConfig(format) } : {}),
        },
      };
    }
    return undefined;
  }
}

/** The provider's `logFormat`: `text`, or `labels` for a JSON object. */
function formatConfig(format: AccessLogFormat): AccessLogFormatConfig {
  // Keys sorted, as in the IstioOperator: Helm values are written in insertion order.
  return format.json !== undefined
    ? { labels: Object.fromEntries(sortedEntries(format.json)) }
    : { text: format.text ?? '' };
}

/** One of `text` or `json`, each made of Envoy command operators. */
function formatProblems(
  field: FieldPath,
  format: AccessLogFormat | undefined,
  policy: VersionPolicy,
  sink: AccessLogSink,
): Problem[] {
  if (format === undefined) return [];
  if ((format.text === undefined) === (format.json === undefined)) {
    return [problem(field, format, 'exactly one of text or json')];
  }
  if (format.text !== undefined) return formatStringProblems([...field, 'text'], format.text, policy, sink);
  return Object.entries(format.json ?? {}).flatMap(([key, value]) =>
    key === ''
      ? [problem([...field, 'json'], key, 'non-empty JSON keys')]
      : formatStringProblems([...field, 'json', key], value, policy, sink),
  );
}
