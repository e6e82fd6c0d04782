'use strict';
// What `require('@aws/cloudformation-validate')` returns inside a test file: the worker's one copy of the module, whose
// engines are shared between test files (shared-validation-environment.js).
const shared = globalThis.__genAiGovernanceCloudFormationValidate;
if (!shared) throw new Error('@aws/cloudformation-validate is mapped to the shared copy, but the test environment is not test/support/jest/shared-validation-environment.js');
module.exports = shared;
