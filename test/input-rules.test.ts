import { describe, expect, it } from 'vitest';
import { INPUT_RULES } from '../analysis/rule-catalog';
import {
  environmentTagProblems,
  headerTagProblems,
  literalTagProblems,
  tagNameProblems,
} from '../core/checks/custom-tag-checks';
import { dimensionNameProblems } from '../core/checks/label-name-checks';
import { metricDefinitionNameProblems } from '../core/checks/metric-definition-name-checks';
import { samplingProblems } from '../core/checks/sampling-checks';
import { standardMetricProblems } from '../core/checks/standard-metric-name-checks';
import { STANDARD_LABELS, STANDARD_METRIC_NAMES } from '../core/istio/standard-metrics';
import { texts } from './support/problem-text';

// Each input rule as a pure function: a value it refuses (with the exact message) and values it accepts.
// The constructs call these when input is given; test/construct-errors.test.ts shows them through the constructs.

describe('the input rules', () => {
  it('are the ones this file tests', () => {
    expect(INPUT_RULES.map((r) => r.id)).toEqual([
      'prometheus-label-name',
      'standard-metric-name',
      'metric-definition-name',
      'sampling-percentage',
      'custom-tag',
    ]);
  });
});

describe('prometheus-label-name', () => {
  it('refuses names Prometheus cannot ingest, and standard labels', () => {
    expect(texts(dimensionNameProblems('__meta', STANDARD_LABELS))).toEqual([
      'dimensions.__meta: got "__meta", expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)',
    ]);
    expect(texts(dimensionNameProblems('response_code', STANDARD_LABELS))).toEqual([
      'dimensions.response_code: got "response_code", expected a new label name; standard labels are set by Istio (remove it with tagsToRemove)',
    ]);
  });

  it('accepts new label names', () => {
    expect(texts(dimensionNameProblems('upstream_proxy_version', STANDARD_LABELS))).toEqual([]);
    expect(texts(dimensionNameProblems('_private', STANDARD_LABELS))).toEqual([]);
  });
});

describe('standard-metric-name', () => {
  it('refuses a series name, pointing at the base name', () => {
    expect(texts(standardMetricProblems(['metric'], 'request_bytes_bucket', STANDARD_METRIC_NAMES))).toEqual([
      `metric: got "request_bytes_bucket", expected a standard metric base name (${STANDARD_METRIC_NAMES.join(', ')}); use the base name "request_bytes" (istio/istio#27764)`,
    ]);
  });

  it('accepts every standard base name', () => {
    for (const name of STANDARD_METRIC_NAMES)
      expect(texts(standardMetricProblems(['metric'], name, STANDARD_METRIC_NAMES))).toEqual([]);
  });
});

describe('metric-definition-name', () => {
  it('refuses redefining a standard metric', () => {
    expect(texts(metricDefinitionNameProblems('response_bytes', STANDARD_METRIC_NAMES))).toEqual([
      'name: got "response_bytes", expected a new metric name; redefining a standard metric is rejected by the stats filter',
    ]);
  });

  it('accepts a new name', () => {
    expect(texts(metricDefinitionNameProblems('get_calls', STANDARD_METRIC_NAMES))).toEqual([]);
  });
});

describe('sampling-percentage', () => {
  it('refuses values out of range, and 0 with the reason and the alternative', () => {
    expect(texts(samplingProblems(['percentage'], 100.5))).toEqual([
      'percentage: got 100.5, expected a percentage from 0 to 100',
    ]);
    expect(texts(samplingProblems(['percentage'], Number.NaN))).toEqual([
      'percentage: got NaN, expected a percentage from 0 to 100',
    ]);
    expect(texts(samplingProblems(['percentage'], 0))).toEqual([
      'percentage: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0',
    ]);
  });

  it('accepts fractions and the bounds above 0', () => {
    for (const value of [0.01, 1, 10, 100]) expect(texts(samplingProblems(['percentage'], value))).toEqual([]);
  });
});

describe('custom-tag', () => {
  it('refuses empty literals, bad variable and header names, and bad tag names', () => {
    expect(texts(literalTagProblems(''))).toEqual(['literal.value: got "", expected a non-empty string']);
    expect(texts(environmentTagProblems('POD-NAME'))).toEqual([
      'environment.name: got "POD-NAME", expected an environment variable name',
    ]);
    expect(texts(headerTagProblems('x user'))).toEqual([
      'header.name: got "x user", expected an HTTP header name (RFC 9110 token)',
    ]);
    expect(texts(tagNameProblems('my tag'))).toEqual([
      'tags: got "my tag", expected a tag name of letters, digits and _.:/-',
    ]);
  });

  it('accepts well-formed tags', () => {
    expect([
      ...literalTagProblems('Test Tag'),
      ...environmentTagProblems('POD_NAME'),
      ...headerTagProblems('x-user-id'),
      ...tagNameProblems('istio.custom_tag'),
    ]).toEqual([]);
  });
});
