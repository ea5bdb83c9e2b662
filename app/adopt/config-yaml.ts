import { Document, isMap, isScalar, type Pair, type YAMLMap } from 'yaml';
import { renderLocation } from '../../core/problems/source-location';
import { type ConfigDraft, describeSource } from './config-draft';

/** The order of `observability.yaml`'s sections, as the config reference lists them. */
export const SECTION_ORDER: readonly string[] = [
  'istioVersion',
  'namespace',
  'mesh',
  'namespaces',
  'waypoints',
  'workloads',
  'statsInclusion',
  'metricDimensions',
  'metricDefinitions',
  'attributeGenerators',
  'pilotTraceSampling',
  'traceSampling',
  'zipkinTracers',
  'openTelemetryTracers',
  'customTraceTags',
  'accessLogging',
  'bootstrapOverrides',
  'backends',
];

/** Wraps comment text at 100 columns, each line a `#` comment of its own. */
function wrap(text: string, width = 98): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ` ${l}`).join('\n');
}

/**
 * The draft as a commented `observability.yaml`: a header naming the input and the release, each
 * entry under a comment saying where it was read, and at the end what was not expressed and the
 * conflicts, each with its file and line. `config` is the draft's own unless given (the same
 * declaration with paths made absolute, for a copy written elsewhere).
 */
export function draftYaml(
  draft: ConfigDraft,
  header: readonly string[],
  config: Readonly<Record<string, unknown>> = draft.config,
): string {
  const ordered = Object.fromEntries(SECTION_ORDER.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
  const document = new Document(ordered, { version: '1.1', aliasDuplicateObjects: false });
  const root = document.contents as YAMLMap;
  for (const pair of root.items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    // A release is always quoted, as the reference asks: 1.20 unquoted is the number 1.2.
    if (key === 'istioVersion' && isScalar(pair.value)) pair.value.type = 'QUOTE_DOUBLE';
    const comment = draft.comments.get(key);
    if (comment && isScalar(pair.key)) pair.key.commentBefore = wrap(comment);
    if (!isMap(pair.value)) continue;
    for (const entry of pair.value.items as Pair[]) {
      const id = isScalar(entry.key) ? String(entry.key.value) : '';
      const entryComment = draft.comments.get(`${key}.${id}`);
      if (entryComment && isScalar(entry.key)) entry.key.commentBefore = wrap(entryComment);
    }
  }
  // The first line is the editor's modeline, which must stay on one line.
  document.commentBefore = header.map((h, i) => (i === 0 ? ` ${h}` : wrap(h))).join('\n');
  const tail: string[] = [];
  if (draft.conflicts.length > 0) {
    tail.push(' Conflicts in the input (what Istio applies was imported):');
    for (const c of draft.conflicts) tail.push(wrap(`- ${describeSource(c)}: ${c.what}`));
  }
  if (draft.notExpressed.length > 0) {
    tail.push(' Not expressed here: keep applying these, or change them by hand:');
    for (const n of draft.notExpressed) {
      tail.push(wrap(`- ${describeSource(n)}: ${n.converted ? '(expressed another way) ' : ''}${n.why}`));
    }
  }
  if (tail.length > 0) document.comment = tail.join('\n');
  return document.toString({ lineWidth: 0 });
}

/** One line per item not expressed, for the terminal: `file:line: Kind ns/name field: why`. */
export function notExpressedLines(draft: ConfigDraft): string[] {
  return [
    ...draft.conflicts.map(
      (c) =>
        `${c.location ? `${renderLocation(c.location)}: ` : ''}conflict: ${c.object}${c.field ? ` ${c.field}` : ''}: ${c.what}`,
    ),
    ...draft.notExpressed.map(
      (n) =>
        `${n.location ? `${renderLocation(n.location)}: ` : ''}not expressed: ${n.object}${n.field ? ` ${n.field}` : ''}: ${n.why}`,
    ),
  ];
}
