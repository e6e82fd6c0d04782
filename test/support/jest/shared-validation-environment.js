'use strict';
/**
 * Jest's node environment, plus one CloudFormation validation engine per configuration for the whole worker process.
 *
 * aws-cdk-lib validates every synthesized template with `@aws/cloudformation-validate` (its built-in
 * CloudFormation Validate plugin). Building that engine costs about 4 s of CPU, and jest loads aws-cdk-lib afresh for
 * every test file, so each suite that synthesizes paid it again (and again whenever a later synth brought new resource
 * types). Here the module is loaded once per worker, outside the test files' module registries, and an engine built
 * for a configuration (the same rules) is kept and handed to every later test file that asks for that configuration.
 * The engine validates a template from its arguments alone, so what each synth is checked against is unchanged;
 * only its construction is shared. `cloudformation-validate-shared.js` is what the test files' `require` gets
 * (`moduleNameMapper`).
 */
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const GLOBAL_KEY = '__genAiGovernanceCloudFormationValidate';
let shared;

function sharedValidateModule() {
  if (shared) return shared;
  const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const real = require(require.resolve('@aws/cloudformation-validate', { paths: [cdkLib] }));
  const engines = new Map();
  // The test file's objects come from its own realm; the engine accepts only plain objects of this one, so its
  // configuration and options are copied across as JSON (they are rules, ids and names: strings, arrays, objects).
  const plain = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  /** The real engine for this configuration, built on first use; `free()` is left to the process's exit. */
  class CompositeEngine {
    constructor(config) {
      const key = JSON.stringify(config ?? {});
      let engine = engines.get(key);
      if (!engine) {
        engine = new real.CompositeEngine(plain(config));
        engines.set(key, engine);
      }
      this.engine = engine;
    }
    validateTemplate(template, options) {
      return this.engine.validateTemplate(template, plain(options));
    }
    free() {
      // Shared by the later test files of this worker.
    }
  }
  shared = Object.freeze({ ...real, CompositeEngine, sharedEngineCount: () => engines.size });
  return shared;
}

class SharedValidationEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.defineProperty(this.global, GLOBAL_KEY, { get: sharedValidateModule, configurable: false, enumerable: false });
  }
}

module.exports = SharedValidationEnvironment;
