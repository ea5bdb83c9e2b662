import type { FieldPath } from '../problems/field-path';
import { type Problem, problem } from '../problems/problem';

/**
 * One application metrics endpoint that the pilot-agent scrapes and merges into the sidecar's
 * `/stats/prometheus` on its status port (Istio's "metrics merging").
 */
export interface ScrapeTarget {
  /** The container port the application serves metrics on. */
  readonly port: number;
  /** @default '/metrics' (what the agent assumes for an entry without a path) */
  readonly path?: string;
}

/** The path the agent scrapes when an entry names none (istio/istio@1.31.0-rc.0:pilot/cmd/pilot-agent/status/server.go ParseScrapeTargets). */
export const DEFAULT_METRICS_PATH = '/metrics';

/** The agent's status port, which serves the merged metrics itself (meshConfig.defaultConfig.statusPort's default). */
export const AGENT_STATUS_PORT = 15020;

/**
 * Ports the sidecar and agent own; the injector refuses a scrape target on any of them (from 1.31,
 * also a `prometheus.io/port` other than the status port), and before 1.31 scraping them merges
 * Envoy's or the agent's own output a second time (istio/istio@1.31.0-rc.0:pilot/cmd/pilot-agent/status/server.go istioReservedPorts).
 */
export const ISTIO_RESERVED_PORTS: Readonly<Record<number, string>> = {
  15000: 'Envoy admin',
  15001: 'outbound traffic capture',
  15004: 'pilot debug',
  15006: 'inbound traffic capture',
  15008: 'HBONE tunnel',
  15020: 'pilot-agent status / merged Prometheus',
  15021: 'Envoy health',
  15053: 'DNS proxy',
  15090: 'Envoy Prometheus (already merged)',
};

/** What is wrong with one target's port, as the injector decides it; undefined when it is usable. */
export function scrapePortProblem(field: FieldPath, port: number, value: unknown = port): Problem | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return problem(field, value, 'a container port from 1 to 65535');
  }
  if (port === AGENT_STATUS_PORT) {
    return problem(field, value, 'an application port, not the agent status port', {
      what: `is the port the agent serves the merged metrics on (${AGENT_STATUS_PORT}), so it would scrape itself`,
    });
  }
  const reserved = ISTIO_RESERVED_PORTS[port];
  if (reserved !== undefined) {
    return problem(field, value, 'an application port, not one Istio reserves', {
      what: `is reserved for Istio (${reserved})`,
    });
  }
  return undefined;
}

/**
 * Problems of a list of targets, each at `field` + its index: ports as {@link scrapePortProblem}
 * decides, paths that the comma-separated annotation cannot carry, and repeated endpoints.
 */
export function scrapeTargetsProblems(field: FieldPath, targets: readonly ScrapeTarget[]): Problem[] {
  if (targets.length === 0) return [problem(field, targets, 'at least one metrics endpoint')];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    const portProblem = scrapePortProblem([...field, index, 'port'], target.port);
    if (portProblem) problems.push(portProblem);
    const path = target.path ?? DEFAULT_METRICS_PATH;
    if (!/^\/[^\s,]*$/.test(path)) {
      problems.push(problem([...field, index, 'path'], path, 'a URL path starting with "/", without spaces or commas'));
    }
    const key = `${target.port}:${path}`;
    if (seen.has(key)) problems.push(problem([...field, index], key, 'an endpoint not listed before'));
    seen.add(key);
  });
  return problems;
}

/** The `prometheus.istio.io/scrape-targets` value: `port:path` entries joined by commas, in order. */
export function renderScrapeTargets(targets: readonly ScrapeTarget[]): string {
  return targets.map((t) => `${t.port}:${t.path ?? DEFAULT_METRICS_PATH}`).join(',');
}

/** An entry as the agent reads it: the port as written (validated by the injector), the path defaulted. */
export interface ParsedScrapeTarget {
  readonly port: string;
  readonly path: string;
}

/**
 * Parses the annotation as the injector does (ParseScrapeTargets): entries split on commas and
 * trimmed, empty ones skipped, `port[:path]` split at the first colon. An entry with no port is an
 * Error: the injector then ignores the whole annotation (it logs a warning).
 */
export function parseScrapeTargets(text: string): ParsedScrapeTarget[] | Error {
  const targets: ParsedScrapeTarget[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const port = (colon === -1 ? entry : entry.slice(0, colon)).trim();
    if (port === '') return new Error(`empty port in scrape target "${entry}"`);
    const path = colon === -1 ? '' : entry.slice(colon + 1).trim();
    targets.push({ port, path: path === '' ? DEFAULT_METRICS_PATH : path });
  }
  return targets;
}

/** Go's strconv.Atoi as the injector applies it to a port: an optional sign and decimal digits. */
export function atoiPort(text: string): number {
  return /^[+-]?\d{1,10}$/.test(text) ? Number.parseInt(text, 10) : Number.NaN;
}
