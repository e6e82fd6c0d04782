import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE, parseConfig } from '../../config/load';
import type { GovernanceConfig } from '../../config/schema';

/** The example organization's YAML text. */
export const EXAMPLE_CONFIG_TEXT = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

/** A fresh, validated copy of the example organization. */
export function exampleConfig(): GovernanceConfig {
  return parseConfig(EXAMPLE_CONFIG_TEXT, DEFAULT_CONFIG_FILE);
}
