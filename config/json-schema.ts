import * as path from 'node:path';
import { z } from 'zod';
import { GovernanceConfigSchema } from './schema';

/** Where the generated JSON Schema is committed (editors pick it up through the modeline in governance.yaml). */
export const JSON_SCHEMA_FILE = path.join(__dirname, 'governance.schema.json');

/**
 * The JSON Schema of the config as a user writes it (defaults make keys optional), rendered as the committed file's
 * exact text. Generated from the zod schema, so it cannot drift from what the loader accepts.
 */
export function renderJsonSchema(): string {
  const schema = z.toJSONSchema(GovernanceConfigSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'Governance config for the generative-AI control plane' }, null, 2)}\n`;
}
