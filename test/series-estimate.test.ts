import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardinalityOf } from '../analysis/review/series-estimate';
import { diffOutputs } from '../cli/diff';
import { synthConfigFile } from '../cli/synth';
import { ValidationFailedError } from '../core/problems/finding';

const ROOT = join(__dirname, '..');
const inputs = { workloads: 4, generated: new Map([['istio_operationId', 4]]) };
const values = (expression: string) => {
  const c = cardinalityOf(expression, inputs);
  return 'unbounded' in c ? `unbounded: ${c.unbounded}` : c.values;
};

describe('what a dimension multiplies its metric by', () => {
  it('counts bounded attributes, literals, conditions and the values of generated attributes', () => {
    expect(values("'fixed'")).toBe(1);
    expect(values('request.method')).toBe(7);
    expect(values('response.code')).toBe(8);
    expect(values('request.host')).toBe(4); // one host per destination workload
    expect(values("request.url_path.startsWith('/api')")).toBe(2);
    expect(values("request.method == 'GET' ? 'read' : 'write'")).toBe(2);
    expect(values("filter_state['wasm.istio_operationId']")).toBe(4);
    expect(values('istio_operationId')).toBe(4); // the bare name before 1.24
    expect(values("xds.node.metadata['MESH_ID']")).toBe(1);
    expect(values('filter_state.upstream_peer.app')).toBe(1);
    expect(values("request.method + '-' + request.scheme")).toBe(14);
  });

  it('finds no bound for paths, headers, ids and addresses, even inside a concatenation', () => {
    expect(values('request.url_path')).toBe('unbounded: request.url_path');
    expect(values("request.headers['x-user']")).toBe('unbounded: request.headers');
    expect(values('request.id')).toBe('unbounded: request.id');
    expect(values('source.address')).toBe('unbounded: source.address');
    expect(values("'v' + request.path")).toBe('unbounded: request.path');
    expect(values("request.method == 'GET' ? request.url_path : 'other'")).toBe('unbounded: request.url_path');
  });
});

/** The config of the issue: a request.url_path dimension, and a host one. */
const URL_PATH_CONFIG = [
  'istioVersion: "1.30"',
  'namespace: shop',
  'workloads:',
  '  cart: { selector: { app: cart } }',
  '  orders: { selector: { app: orders } }',
  'metricDimensions:',
  '  paths:',
  '    metric: requests_total',
  '    dimensions: { request_path: request.url_path, request_host: request.host }',
  '',
].join('\n');

async function synth(text: string): Promise<{ out: string; config: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'series-'));
  const config = join(dir, 'observability.yaml');
  writeFileSync(config, text);
  const out = join(dir, 'out');
  await synthConfigFile(config, out);
  return { out, config };
}

/** The series table of a REPORT.md: from its header to the first blank line. */
const seriesTable = (report: string) =>
  report.slice(report.indexOf('| metric | series |')).split('\n\n')[0]?.trim().split('\n') ?? [];

describe('the series estimate in REPORT.md', () => {
  it('pins the default stack: webapp and catalog behind the gateway, with the book dimensions', () => {
    const report = readFileSync(join(ROOT, 'dist', 'REPORT.md'), 'utf8');
    expect(seriesTable(report)).toEqual([
      '| metric | series | added dimensions |',
      '| --- | --- | --- |',
      '| istio_requests_total | 6,912 | source_mesh_id ×1 (node.metadata.*: one value per proxy or peer (within the workload pairs)); upstream_operation ×4 (istio_operationId: 3 generated values and none); upstream_proxy_version ×1 (upstream_peer.istio_version: one value per proxy or peer (within the workload pairs)) |',
      '| istio_request_duration_milliseconds | 76,032 | - |',
      '| istio_request_bytes | 76,032 | - |',
      '| istio_response_bytes | 76,032 | - |',
      '| istio_request_messages_total | 3,456 | - |',
      '| istio_response_messages_total | 3,456 | - |',
      '| istio_tcp_connections_opened_total | 72 | - |',
      '| istio_tcp_connections_closed_total | 72 | - |',
      '| istio_tcp_sent_bytes_total | 72 | - |',
      '| istio_tcp_received_bytes_total | 72 | - |',
    ]);
  });

  it('marks a request.url_path dimension unbounded, and warns with the fix', async () => {
    const { out } = await synth(URL_PATH_CONFIG);
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(seriesTable(report)[2]).toBe(
      '| istio_requests_total | unbounded | request_host ×2 (request.host: one host per destination); request_path ×∞ (reads request.url_path, which has a value per request) |',
    );
  });

  it('refuses, under a seriesBudget, the unbounded dimension and every metric estimated above it', async () => {
    const error = await synth(`${URL_PATH_CONFIG}mesh: { seriesBudget: 50000 }\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    const lines = (error as ValidationFailedError).findings.map((f) => `${f.rule} ${f.path} ${f.what}`);
    expect(lines).toEqual([
      'series-cardinality mesh/mesh istio_request_bytes is estimated at 76,032 series (an upper bound; largest factors: le, _sum, _count ×22, response_code ×8, workload pairs ×6)',
      'series-cardinality mesh/mesh istio_request_duration_milliseconds is estimated at 76,032 series (an upper bound; largest factors: le, _sum, _count ×22, response_code ×8, workload pairs ×6)',
      'series-cardinality mesh/mesh istio_requests_total has no bound: a dimension takes a value per request (largest factors: request_path ×∞, response_code ×8, workload pairs ×6)',
      'series-cardinality mesh/mesh istio_response_bytes is estimated at 76,032 series (an upper bound; largest factors: le, _sum, _count ×22, response_code ×8, workload pairs ×6)',
      'series-cardinality shop/paths reads request.url_path, which takes a value per request: each becomes a Prometheus series of istio_requests_total',
    ]);
  });

  it('shows in diff what a change does to each estimate', async () => {
    const before = await synth(URL_PATH_CONFIG.replace('request_path: request.url_path, ', ''));
    const after = await synth(
      URL_PATH_CONFIG.replace('request_path: request.url_path, ', '').replace(
        'request_host: request.host',
        'request_host: request.host, request_method: request.method',
      ),
    );
    expect(diffOutputs(before.out, after.out).filter((l) => l.startsWith('  series'))).toEqual([
      '  series istio_requests_total: 1,152 → 8,064 series (+ dimension request_method ×7)',
    ]);
  });
});
