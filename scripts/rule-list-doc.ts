// The rule list between <!-- rules:start --> and <!-- rules:end --> in docs/validation.md, from the
// rule catalog: `npm run docs:rules` rewrites it, test/docs.test.ts checks it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_RULES, INPUT_RULES } from '../analysis/rule-catalog';

/**
 * The documented rule list: every input rule, then every app rule with its anchor (each rule's
 * `docs`), default severity, summary and remediation.
 */
export function ruleListDoc(): string {
  const line = (r: { id: string; summary: string }) => `- \`${r.id}\`: ${r.summary}`;
  return [
    'Checked by the constructs when input is given:',
    '',
    ...INPUT_RULES.map(line),
    '',
    'Checked over the whole app before anything is written (`validate --disable <id>` turns one off;',
    'the annotation `ignore-check.cdk8s-istio-observability.io/<id>: "<reason>"` silences it on one object):',
    '',
    ...APP_RULES.map(
      (r) =>
        `- <a id="${r.id}"></a>\`${r.id}\` (${r.severity} unless a finding says otherwise): ${r.summary} Fix: ${r.remediation}`,
    ),
  ].join('\n');
}

if (require.main === module) {
  const file = join(__dirname, '..', 'docs', 'validation.md');
  const page = readFileSync(file, 'utf8');
  writeFileSync(file, page.replace(/(<!-- rules:start -->\n)[\s\S]*?(\n<!-- rules:end -->)/, `$1${ruleListDoc()}$2`));
}
