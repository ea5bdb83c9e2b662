// The rule list between <!-- rules:start --> and <!-- rules:end --> in docs/validation.md, from the
// rule catalog: `npm run docs:rules` rewrites it, test/docs.test.ts checks it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_RULES, INPUT_RULES } from '../analysis/rule-catalog';

/** The documented rule list: every input rule, then every app rule, each with its summary. */
export function ruleListDoc(): string {
  const line = (r: { id: string; summary: string }) => `- \`${r.id}\`: ${r.summary}`;
  return [
    'Checked by the constructs when input is given:',
    '',
    ...INPUT_RULES.map(line),
    '',
    'Checked over the whole app before anything is written:',
    '',
    ...APP_RULES.map(line),
  ].join('\n');
}

if (require.main === module) {
  const file = join(__dirname, '..', 'docs', 'validation.md');
  const page = readFileSync(file, 'utf8');
  writeFileSync(file, page.replace(/(<!-- rules:start -->\n)[\s\S]*?(\n<!-- rules:end -->)/, `$1${ruleListDoc()}$2`));
}
