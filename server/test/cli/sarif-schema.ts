// Validation against the OASIS SARIF 2.1.0 JSON schema, as shipped by Microsoft's SARIF matchers, for the tests of
// every command that writes SARIF (check, test, diff).
import * as fs from 'node:fs';
import Ajv from 'ajv-draft-04';

let compiled: ReturnType<Ajv['compile']> | undefined;

/** The schema violations of a log (none when it is valid). */
export function validateSarif(log: unknown): string[] {
  if (!compiled) {
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // The schema's language-tag pattern is not valid as a unicode regular expression.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    compiled = ajv.compile(schema);
  }
  return compiled(log) ? [] : (compiled.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
