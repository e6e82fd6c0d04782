import { writeFileSync } from 'node:fs';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema';

/** `npx projen config:schema`: regenerate config/governance.schema.json from the zod schema. */
writeFileSync(JSON_SCHEMA_FILE, renderJsonSchema());
console.log(`wrote ${JSON_SCHEMA_FILE}`);
