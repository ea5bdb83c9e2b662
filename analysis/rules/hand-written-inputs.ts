import {
  environmentTagProblems,
  headerTagProblems,
  literalTagProblems,
  tagNameProblems,
} from '../../core/checks/custom-tag-checks';
import { formatStringProblems } from '../../core/checks/envoy-log-format';
import { dimensionNameProblems } from '../../core/checks/label-name-checks';
import { metricDefinitionNameProblems } from '../../core/checks/metric-definition-name-checks';
import { samplingProblems } from '../../core/checks/sampling-checks';
import { STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { type Problem, problem, under } from '../../core/problems/problem';
import type { VersionPolicy } from '../../core/version/version-policy';
import {
  MESH_CONFIG_KINDS,
  meshConfigs,
  pilotValuePaths,
  statsConfigOverrides,
  valueAt,
} from '../../model/install-inputs';
import type { Manifest } from '../../model/objects';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import { isTelemetry, telemetryTagOverrides } from '../../model/telemetry-objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * The input rules the constructs apply to what they are given (prometheus-label-name,
 * metric-definition-name, sampling-percentage, custom-tag), applied to the same fields of objects
 * no construct built, so that lint and synth agree. Only what is wrong whoever wrote it: a
 * hand-written configOverride or tagOverrides may set a standard label's value, which the
 * MetricDimensions construct routes elsewhere, so names are held only to Prometheus's grammar.
 */
export const handWrittenInputsRule: AppRule = {
  id: 'hand-written-inputs',
  scope: 'object',
  summary:
    'Hand-written objects are held to the input rules of the constructs: tag override names are Prometheus label names, configOverride definitions are new metric names without the istio_ prefix, values.pilot.traceSampling is above 0 (the istiod chart drops 0 and istiod samples 1%), custom trace tags have a well-formed name and source, and access log formats (meshConfig accessLogFormat, file and OpenTelemetry log providers) use only Envoy command operators.',
  remediation: 'Apply the change the finding names: the same input rules the constructs enforce on what they emit.',
  kinds: [...MESH_CONFIG_KINDS, 'Telemetry', 'WasmPlugin', ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#hand-written-inputs',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      const add = (problems: readonly Problem[]) => {
        for (const found of problems) findings.push({ path, ...found });
      };
      add(overrideProblems(manifest));
      add(tagOverrideProblems(manifest, context.targets));
      add(traceSamplingProblems(manifest));
      if (isTelemetry(manifest)) {
        listOf(mappingAt(manifest, 'spec').tracing).forEach((entry, i) => {
          add(customTagProblems(['spec', 'tracing', i, 'customTags'], mappingAt(entry, 'customTags')));
        });
      }
    }
    for (const source of meshConfigs(context.objects)) {
      // Each target release's Envoy: an operator one of them lacks fails that cluster's proxies.
      const seen = new Set<string>();
      for (const { policy } of context.targets) {
        for (const found of accessLogFormatProblems(source.field, source.meshConfig, policy)) {
          const key = JSON.stringify(found);
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push({ path: source.path, ...found });
        }
      }
      const field = [...source.field, 'defaultConfig'];
      for (const found of proxyConfigTagProblems(field, mappingAt(source.meshConfig, 'defaultConfig'))) {
        findings.push({ path: source.path, ...found });
      }
    }
    for (const template of podTemplates(context.objects)) {
      const config = proxyConfigOf(template);
      if (!config || config instanceof Error) continue; // proxy-config-annotation reports it
      for (const found of proxyConfigTagProblems(proxyConfigField(template), config)) {
        findings.push({ path: template.path, ...found });
      }
    }
    return findings;
  },
};

/**
 * The access log formats of a mesh config: `accessLogFormat` (a format string, or with
 * `accessLogEncoding: JSON` a JSON object of them) and the `logFormat` of its file and
 * OpenTelemetry log providers, held to Envoy's command operators as AccessLogging holds its own.
 */
function accessLogFormatProblems(field: FieldPath, meshConfig: JsonMapping, policy: VersionPolicy): Problem[] {
  const problems: Problem[] = [];
  const format = meshConfig.accessLogFormat;
  if (typeof format === 'string' && format !== '') {
    const at = [...field, 'accessLogFormat'];
    if (meshConfig.accessLogEncoding === 'JSON') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(format);
      } catch {
        parsed = undefined;
      }
      if (!isMapping(parsed))
        problems.push(problem(at, format, 'a JSON object of format strings (accessLogEncoding is JSON)'));
      else
        for (const value of Object.values(parsed))
          if (typeof value === 'string') problems.push(...formatStringProblems(at, value, policy));
    } else {
      problems.push(...formatStringProblems(at, format, policy));
    }
  }
  listOf(meshConfig.extensionProviders).forEach((provider, i) => {
    for (const kind of ['envoyFileAccessLog', 'envoyOtelAls']) {
      const logFormat = mappingAt(provider, kind, 'logFormat');
      const at = [...field, 'extensionProviders', i, kind, 'logFormat'];
      if (typeof logFormat.text === 'string')
        problems.push(...formatStringProblems([...at, 'text'], logFormat.text, policy));
      for (const [key, value] of Object.entries(mappingAt(logFormat, 'labels'))) {
        if (typeof value === 'string') problems.push(...formatStringProblems([...at, 'labels', key], value, policy));
      }
    }
  });
  return problems;
}

/** The custom trace tags of the ProxyConfig at `field`: `tracing.custom_tags`, as protobuf JSON spells it either way. */
function proxyConfigTagProblems(field: FieldPath, config: JsonMapping): Problem[] {
  return ['customTags', 'custom_tags'].flatMap((key) =>
    customTagProblems([...field, 'tracing', key], mappingAt(config, 'tracing', key)),
  );
}

/**
 * New metrics of an IstioOperator's stats configOverride (our IstioOperator schema already holds
 * its dimension names to Prometheus's grammar).
 */
function overrideProblems(manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  for (const { field, override } of statsConfigOverrides(manifest)) {
    listOf(override.definitions).forEach((definition, d) => {
      const name = mappingAt(definition).name;
      if (typeof name !== 'string') return; // the schema reports it
      problems.push(
        ...metricDefinitionNameProblems(name, STANDARD_METRIC_NAMES).map((p) => under([...field, 'definitions', d], p)),
      );
    });
  }
  return problems;
}

/** The tag names of a Telemetry's metric overrides, which become Prometheus labels. */
/**
 * The Telemetry CRD's own rules for a tag override's value (istio/istio@1.31.0-rc.0:manifests/
 * charts/base/files/crd-all.gen.yaml), in releases whose CRD has them; where it does, an explicit
 * operation is the CRD's to refuse and is not reported twice.
 */
const UPSERT_VALUE_RULE = '((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true';

/**
 * Tag override names are Prometheus label names, and the value goes with the operation as istiod's
 * validating webhook holds it on every release: "tagOverrides.value must be set when operation is
 * UPSERT" (the default operation) and "may only be set when operation is UPSERT"
 * (istio/istio@1.17.8 and @1.31.0-rc.0:pkg/config/validation/validation.go validateTelemetryMetrics).
 */
function tagOverrideProblems(manifest: Manifest, targets: ValidationContext['targets']): Problem[] {
  if (!isTelemetry(manifest)) return [];
  const crdChecksValue = targets.every((t) => t.policy.crdHasRule('telemetry.istio.io/Telemetry', UPSERT_VALUE_RULE));
  const problems: Problem[] = [];
  for (const { field, name, tag } of telemetryTagOverrides(manifest)) {
    for (const found of dimensionNameProblems(name, [])) problems.push({ ...found, field });
    const { operation, value } = mappingAt(tag);
    if (crdChecksValue && operation !== undefined) continue;
    if ((operation ?? 'UPSERT') === 'UPSERT' && (value === undefined || value === '')) {
      problems.push(
        problem(
          [...field, 'value'],
          value ?? null,
          'a CEL expression: the value is required when operation is UPSERT (the default)',
          {
            what: "is missing, so istiod's validating webhook refuses the Telemetry (tagOverrides.value must be set when operation is UPSERT)",
            hint: 'set value, or operation: REMOVE to drop the label (istio/istio@1.31.0-rc.0:pkg/config/validation/validation.go)',
          },
        ),
      );
    } else if (operation === 'REMOVE' && value !== undefined && value !== '') {
      problems.push(
        problem([...field, 'value'], value, 'no value with operation REMOVE', {
          what: "is set with operation REMOVE, so istiod's validating webhook refuses the Telemetry",
          hint: 'remove value (istio/istio@1.31.0-rc.0:pkg/config/validation/validation.go)',
        }),
      );
    }
  }
  return problems;
}

/**
 * `values.pilot.traceSampling` of an IstioOperator, istiod Helm values (also the 1.30 chart's
 * top-level `traceSampling`) or a Sail `Istio`: the istiod chart sets PILOT_TRACE_SAMPLING only
 * when the value is truthy (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml
 * `{{- if .Values.traceSampling }}`), so 0 leaves istiod's default of 1%.
 */
function traceSamplingProblems(manifest: Manifest): Problem[] {
  return pilotValuePaths(manifest, 'traceSampling').flatMap((field) => {
    const value = valueAt(manifest, field);
    // Other values are the schema's to refuse; 0 is valid to it and still wrong.
    return value === 0 ? samplingProblems(field, value) : [];
  });
}

/** Custom trace tags (Telemetry `customTags`, ProxyConfig `tracing.custom_tags`): name and source. */
function customTagProblems(field: FieldPath, tags: JsonMapping): Problem[] {
  const problems: Problem[] = [];
  for (const [name, tag] of Object.entries(tags)) {
    for (const found of tagNameProblems(name)) problems.push({ ...found, field });
    if (!isMapping(tag)) continue; // the schema reports it
    const at = (found: Problem) => under([...field, name], found);
    const { literal, environment, header } = tag;
    if (isMapping(literal) && typeof literal.value === 'string')
      problems.push(...literalTagProblems(literal.value).map(at));
    if (isMapping(environment) && typeof environment.name === 'string') {
      problems.push(...environmentTagProblems(environment.name).map(at));
    }
    if (isMapping(header) && typeof header.name === 'string') problems.push(...headerTagProblems(header.name).map(at));
  }
  return problems;
}
