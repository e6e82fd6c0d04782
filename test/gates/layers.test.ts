import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadESLint } from 'eslint';
import { PROJECT_ROOT } from '../support/run-app';

// The layers of the source folders, lowest first, are a rule of the build: `npx projen test` runs eslint, whose
// import/no-restricted-paths zones (generated from .projenrc.ts) reject an upward import and import/no-cycle a
// circular one. These cases plant such imports in memory (nothing is written) and lint them with those two rules of the
// project's config.

/** The rules that keep the layers: what these cases exercise. */
const LAYER_RULES = ['import/no-restricted-paths', 'import/no-cycle'];

/**
 * The project's eslint config (generated from .projenrc.ts) with only the layer rules, as configured there (zones,
 * overrides, the TypeScript resolver), and without type information: neither rule needs the type checker, so the
 * parser does not build the project's program for each case.
 */
function layerRulesConfig() {
  const generated = JSON.parse(readFileSync(path.join(PROJECT_ROOT, '.eslintrc.json'), 'utf8').replace(/^\/\/.*$/m, ''));
  const only = (rules: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(rules).filter(([rule]) => LAYER_RULES.includes(rule)));
  const { projectService: _typeInformation, ...parserOptions } = generated.parserOptions;
  return {
    ...generated,
    parserOptions,
    rules: only(generated.rules),
    overrides: generated.overrides.map((o: { rules?: Record<string, unknown> }) => ({ ...o, rules: only(o.rules) })),
  };
}

/** Lints an existing file of the project with `planted` appended, with the layer rules of the project's config. */
async function lint(file: string, planted: string): Promise<string[]> {
  const ESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new ESLint({ cwd: PROJECT_ROOT, useEslintrc: false, baseConfig: layerRulesConfig() });
  const code = `${readFileSync(path.join(PROJECT_ROOT, file), 'utf8')}\n${planted}`;
  const [result] = await eslint.lintText(code, { filePath: path.join(PROJECT_ROOT, file) });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layers: imports flow one way between the source folders', () => {
  describe('fail on', () => {
    test('an upward import (config/ importing the composition root in stacks/)', async () => {
      const errors = await lint('config/accounts.ts', "import { STACK_IDS } from '../stacks/estate';\nexport const PLANTED = STACK_IDS;\n");
      // stacks/ imports config/accounts.ts, so the planted import also closes a circle.
      expect(errors.sort()).toEqual([
        expect.stringMatching(/^import\/no-cycle: /),
        expect.stringMatching(/^import\/no-restricted-paths: .*config\/ is below contracts, policies, building-blocks, dashboards, stacksets, workloads, operations, stacks/),
      ]);
    });

    test('a shared building block importing a member baseline stack', async () => {
      const errors = await lint('building-blocks/s3/encrypted-bucket-props.ts', "import { BaselineRegionalStack } from '../../stacksets/baseline/baseline-regional-stack';\nexport const PLANTED = BaselineRegionalStack;\n");
      expect(errors).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*building-blocks\/ is below dashboards/)]);
    });

    test('a circular import inside a layer', async () => {
      // contracts/archive-names.ts imports governance-names.ts; making governance-names import it back closes a circle.
      expect(await lint('contracts/governance-names.ts', "import { ARCHIVE_KEY_ALIAS } from './archive-names';\nexport const PLANTED = ARCHIVE_KEY_ALIAS;\n")).toEqual([expect.stringMatching(/^import\/no-cycle: /)]);
    });
  });

  describe('emulators/ is development-only, apart from the layers', () => {
    test('fails: product code (the tenant\'s handlers) importing an emulator', async () => {
      const errors = await lint('workloads/support-chat/chat/handlers/lib/frames.ts',
        "import { startMoto } from '../../../../../emulators/moto/moto-server';\nexport const PLANTED = startMoto;\n");
      expect(errors).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*emulators\/ is development-only: product code may not import it/)]);
    });

    test('fails: the composition root importing an emulator', async () => {
      const errors = await lint('stacks/app-context.ts', "import { LocalJwtIssuer } from '../emulators/token-issuer/jwt-issuer';\nexport const PLANTED = LocalJwtIssuer;\n");
      expect(errors).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*emulators\/ is development-only/)]);
    });

    test('fails: an emulator importing product code (the tenant\'s router)', async () => {
      const errors = await lint('emulators/bedrock-runtime/bedrock-request.ts',
        "import { ROUTER_PROMPT } from '../../workloads/support-chat/chat/handlers/lib/router';\nexport const PLANTED = ROUTER_PROMPT;\n");
      expect(errors).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*emulators\/ emulates AWS and knows no product code/)]);
    });

    test('fails: an emulator importing the config', async () => {
      const errors = await lint('emulators/http/http-body.ts', "import type { GovernanceConfig } from '../../config/schema';\nexport type Planted = GovernanceConfig;\n");
      expect(errors).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*emulators\/ emulates AWS/)]);
    });

    test('passes: a tenant\'s local harness composing an emulator with its handlers', async () => {
      expect(await lint('workloads/support-chat/local/local-resources.ts',
        "import { startMoto } from '../../../emulators/moto/moto-server';\nexport const PLANTED = startMoto;\n")).toEqual([]);
    });
  });

  test('a downward import passes (stacks/ importing config/)', async () => {
    expect(await lint('stacks/app-context.ts', "import type { GovernanceConfig } from '../config/schema';\nexport type Planted = GovernanceConfig;\n")).toEqual([]);
  });
});
