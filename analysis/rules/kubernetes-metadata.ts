import { ISTIOD_VALUES_KIND } from '../../core/istio/istio-names';
import { isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import { type Problem, problem, statement } from '../../core/problems/problem';
import { podTemplates } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Kinds whose names must be RFC 1123 labels (they become DNS names or label values). */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

/** The API server refuses these at apply time; finding them at synth saves a failed rollout. */
export const kubernetesMetadataRule: AppRule = {
  id: 'kubernetes-metadata',
  scope: 'object',
  summary:
    "Every object has a valid name (RFC 1123 subdomain; a label for Services and Namespaces) and namespace, label keys and values and annotation keys that the API server accepts, annotations (its own and its pod template's) within the 256 KiB the API server allows in total, and the whole object within the 1.5 MiB etcd stores by default.",
  remediation:
    'Rename or shorten the name, label or annotation the finding names, so the API server accepts the object.',
  kinds: ['*'],
  severity: 'error',
  docs: 'docs/validation.md#kubernetes-metadata',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest, patch } of context.objects) {
      const { name, namespace } = manifest.metadata;
      // `labels:` or `annotations:` left empty is YAML null: the API server reads it as none.
      const labels = manifest.metadata.labels ?? {};
      const annotations = manifest.metadata.annotations ?? {};
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
      const tooLarge = annotationSizeProblem(['metadata', 'annotations'], annotations);
      if (tooLarge) add(tooLarge);
      // A patch is merged into an object stored elsewhere; a nameless IstioOperator is only read by istioctl.
      const stored = !nameless && patch !== true;
      const bytes = stored ? Buffer.byteLength(JSON.stringify(manifest)) : 0;
      if (bytes > OBJECT_SIZE_LIMIT) {
        add(
          statement(
            undefined,
            `serializes to ${bytes} bytes, more than the ${OBJECT_SIZE_LIMIT} etcd stores by default (--max-request-bytes), so the API server cannot persist it`,
            'shrink the values that make it this large (a trace tag literal, a dashboard)',
          ),
        );
      }
    }
    // A pod template's annotations are the pods' metadata: the same limit applies when they are created.
    for (const template of podTemplates(context.objects)) {
      if (template.field.length <= 2) continue; // a bare Pod: its metadata, checked above
      const tooLarge = annotationSizeProblem(template.field, template.annotations);
      if (tooLarge) findings.push({ path: template.path, ...tooLarge });
    }
    return findings;
  },
};

/**
 * The API server refuses an object whose annotations, keys and values, exceed 256 KiB in total
 * (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go,
 * TotalAnnotationSizeLimitB).
 */
const ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * etcd refuses a request larger than `--max-request-bytes`, 1.5 MiB by default (etcd.io docs,
 * "Configuration options": max-request-bytes 1572864), and the API server stores each object in
 * one request.
 */
const OBJECT_SIZE_LIMIT = 1572864;

function annotationSizeProblem(field: FieldPath, annotations: Readonly<Record<string, unknown>>): Problem | undefined {
  const size = Object.entries(annotations).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)),
    0,
  );
  if (size <= ANNOTATION_SIZE_LIMIT) return undefined;
  return problem(field, `${size} bytes`, `at most ${ANNOTATION_SIZE_LIMIT} bytes of annotation keys and values`, {
    what: 'is larger than the API server accepts',
  });
}
