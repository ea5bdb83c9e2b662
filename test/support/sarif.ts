import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';

/**
 * The SARIF 2.1.0 schema (schemastore's sarif-2.1.0-rtm.5, the OASIS release schema) as
 * @microsoft/jest-sarif ships it; draft-04, hence ajv-draft-04. Its `language` pattern has a
 * stray `]` that only non-Unicode regular expressions accept, hence `unicodeRegExp: false`.
 */
export function sarifValidator() {
  const file = createRequire(__filename).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
}
