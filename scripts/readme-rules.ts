// Rewrites the rule list between <!-- rules:start --> and <!-- rules:end --> in README.md from the
// rule catalog (test/readme-example.test.ts checks the two agree).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_RULES, INPUT_RULES } from '../constructs/validate/rule-catalog';

const file = join(__dirname, '..', 'README.md');
const line = (r: { id: string; summary: string }) => `- \`${r.id}\`: ${r.summary}`;
const list = [
  'Checked by the constructs when input is given:',
  '',
  ...INPUT_RULES.map(line),
  '',
  'Checked over the whole app before anything is written:',
  '',
  ...APP_RULES.map(line),
].join('\n');
const readme = readFileSync(file, 'utf8');
writeFileSync(file, readme.replace(/(<!-- rules:start -->\n)[\s\S]*?(\n<!-- rules:end -->)/, `$1${list}$2`));
