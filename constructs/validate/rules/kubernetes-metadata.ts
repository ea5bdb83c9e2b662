import { isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../../names';
import { type Problem, problem } from '../../problems/problem';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { ISTIOD_VALUES_KIND } from './rendered-objects';

/** Kinds whose names must be RFC 1123 labels (they become DNS names or label values). */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

/** The API server refuses these at apply time; finding them at synth saves a failed rollout. */
export const kubernetesMetadataRule: AppRule = {
  id: 'kubernetes-metadata',
  summary:
    'Every object has a valid name (RFC 1123 subdomain; a label for Services and Namespaces) and namespace, label keys and values and annotation keys that the API server accepts.',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      const { name, namespace, labels = {}, annotations = {} } = manifest.metadata;
      const add = (problem: Problem) => findings.push({ path, ...problem });
      const labelNamed = LABEL_NAMED_KINDS.has(manifest.kind);
      // istioctl reads an IstioOperator from a file and never applies it, so it may be nameless.
      const nameless = name === undefined && manifest.kind === 'IstioOperator';
      if (manifest.kind === ISTIOD_VALUES_KIND) continue; // Helm values: no object, no metadata
      if (!nameless && (typeof name !== 'string' || !(labelNamed ? isDnsLabel(name) : isDnsSubdomain(name)))) {
        add(
          problem(
            ['metadata', 'name'],
            name,
            `a name for this ${manifest.kind} (RFC 1123 ${labelNamed ? 'label' : 'subdomain'}: lower-case alphanumerics and '-'${labelNamed ? '' : " or '.'"})`,
          ),
        );
      }
      if (namespace !== undefined && (typeof namespace !== 'string' || !isDnsLabel(namespace))) {
        add(problem(['metadata', 'namespace'], namespace, 'a namespace name (RFC 1123 label)'));
      }
      for (const [key, value] of Object.entries(labels)) {
        if (!isQualifiedName(key))
          add(problem(['metadata', 'labels'], key, 'a qualified name ([prefix/]name)', { what: 'has an invalid key' }));
        if (typeof value !== 'string' || !isLabelValue(value)) {
          add(
            problem(
              ['metadata', 'labels', key],
              value,
              "a label value (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)",
            ),
          );
        }
      }
      for (const key of Object.keys(annotations)) {
        if (!isQualifiedName(key))
          add(
            problem(['metadata', 'annotations'], key, 'a qualified name ([prefix/]name)', {
              what: 'has an invalid key',
            }),
          );
      }
    }
    return findings;
  },
};
