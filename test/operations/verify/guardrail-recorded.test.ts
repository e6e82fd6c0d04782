import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountSession } from '../../../operations/verify/account-session';
import { readAssembly } from '../../../operations/verify/assembly';
import { canonical, type Fact } from '../../../operations/verify/fact';
import { guardrailFacts } from '../../../operations/verify/facts-guardrail';
import { readGuardrail } from '../../../operations/verify/read-guardrail';
import { exampleAssemblyDirectory } from '../../support/example-estate';

/*
 * BR-GR-1's reader against recorded responses: the answers of Organizations (ListPolicies, DescribePolicy of a
 * BEDROCK_POLICY) and Bedrock (ListGuardrails, GetGuardrail with guardrailVersion) in the shapes of AWS's API
 * references (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListGuardrails.html and API_GetGuardrail.html), with
 * the members AWS adds beyond what was configured (modalities, per-direction actions, tiers, timestamps), replayed by
 * a local server to the SDK clients the verifier uses. The expected side is the example assembly's fact. This shows
 * that the reader parses AWS's shapes; it proves nothing about what Bedrock enforces.
 */

const MANAGEMENT = '318274650913';
const REGION = 'eu-central-1';
const GUARDRAIL_ID = 'k3m9x2p7q1zt';
const GUARDRAIL_ARN = `arn:aws:bedrock:${REGION}:${MANAGEMENT}:guardrail/${GUARDRAIL_ID}`;
const POLICY_ID = 'p-bedrock7xk2';
const STAMP = '2026-11-30T08:14:52.314Z';

const filter = (type: string, input: string, output: string) => ({
  type,
  inputStrength: input,
  outputStrength: output,
  inputModalities: ['TEXT'],
  outputModalities: ['TEXT'],
  inputAction: 'BLOCK',
  outputAction: 'BLOCK',
  inputEnabled: true,
  outputEnabled: true,
});
const pii = (type: string, action: string) => ({ type, action, inputAction: action, outputAction: action, inputEnabled: true, outputEnabled: true });

/** GetGuardrail of version 3 as Bedrock answers it for the example's guardrail. */
function recordedVersion(): Record<string, unknown> {
  return {
    name: 'org-baseline-guardrail',
    description: 'Content 69cacec2f968',
    guardrailId: GUARDRAIL_ID,
    guardrailArn: GUARDRAIL_ARN,
    version: '3',
    status: 'READY',
    topicPolicy: { topics: [{ name: 'Investment advice', definition: 'Recommendations to buy, sell or hold specific securities, funds or crypto assets.', examples: [], type: 'DENY', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true }], tier: { tierName: 'CLASSIC' } },
    contentPolicy: {
      filters: [filter('SEXUAL', 'HIGH', 'HIGH'), filter('VIOLENCE', 'HIGH', 'HIGH'), filter('HATE', 'HIGH', 'HIGH'), filter('INSULTS', 'HIGH', 'HIGH'),
        filter('MISCONDUCT', 'HIGH', 'HIGH'), filter('PROMPT_ATTACK', 'HIGH', 'NONE')],
      tier: { tierName: 'CLASSIC' },
    },
    wordPolicy: { words: [{ text: 'internal-only' }], managedWordLists: [{ type: 'PROFANITY' }] },
    sensitiveInformationPolicy: {
      piiEntities: [pii('AWS_ACCESS_KEY', 'BLOCK'), pii('AWS_SECRET_KEY', 'BLOCK'), pii('PASSWORD', 'BLOCK'), pii('CREDIT_DEBIT_CARD_NUMBER', 'BLOCK'),
        pii('EMAIL', 'ANONYMIZE'), pii('PHONE', 'ANONYMIZE')],
      regexes: [],
    },
    contextualGroundingPolicy: { filters: [{ type: 'GROUNDING', threshold: 0.75, action: 'BLOCK', enabled: true }, { type: 'RELEVANCE', threshold: 0.5, action: 'BLOCK', enabled: true }] },
    createdAt: STAMP,
    updatedAt: STAMP,
    statusReasons: [],
    failureRecommendations: [],
    blockedInputMessaging: 'This request is not allowed by the organization\'s AI use policy.',
    blockedOutputsMessaging: 'The response was withheld by the organization\'s AI use policy.',
  };
}

/** The Bedrock policy's content as Organizations stores it (CloudFormation resolved the identifier). */
function recordedPolicyContent(identifier: string): string {
  return JSON.stringify({
    bedrock: {
      guardrail_inference: {
        [REGION]: {
          config_1: {
            identifier: { '@@assign': identifier },
            selective_content_guarding: { system: { '@@assign': 'comprehensive' }, messages: { '@@assign': 'comprehensive' } },
            model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0', 'cohere.rerank-v3-5:0'] } },
          },
        },
      },
    },
  });
}

type Answer = { status: number; body: unknown; type?: string };
interface Recorded {
  listPolicies: Answer;
  describePolicy: Answer;
  listGuardrails: Answer;
  getGuardrail: Answer;
}

const policySummary = {
  Id: POLICY_ID,
  Arn: `arn:aws:organizations::${MANAGEMENT}:policy/o-7kq2m9xv4b/bedrock_policy/${POLICY_ID}`,
  Name: `genai-governance-bedrock-guardrail-${REGION}`,
  Description: `BR-GR-1: guardrail org-baseline-guardrail on every Bedrock invocation in ${REGION}`,
  Type: 'BEDROCK_POLICY',
  AwsManaged: false,
};

function clean(): Recorded {
  return {
    listPolicies: { status: 200, body: { Policies: [policySummary] } },
    describePolicy: { status: 200, body: { Policy: { PolicySummary: policySummary, Content: recordedPolicyContent(`${GUARDRAIL_ARN}:3`) } } },
    listGuardrails: {
      status: 200,
      body: { guardrails: [{ id: GUARDRAIL_ID, arn: GUARDRAIL_ARN, status: 'READY', name: 'org-baseline-guardrail', description: 'Organization guardrail', version: 'DRAFT', createdAt: STAMP, updatedAt: STAMP }] },
    },
    getGuardrail: { status: 200, body: recordedVersion() },
  };
}

let server: Server;
let endpoint: string;
let recorded: Recorded;
const requests: { target?: string; method?: string; url?: string; body: string }[] = [];
let fact: Fact;

beforeAll(async () => {
  fact = guardrailFacts(readAssembly(exampleAssemblyDirectory())).find((f) => f.region === REGION)!;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += String(c); });
    req.on('end', () => {
      const target = req.headers['x-amz-target'] as string | undefined;
      requests.push({ target, method: req.method, url: req.url, body });
      const answer = target === 'AWSOrganizationsV20161128.ListPolicies' ? recorded.listPolicies
        : target === 'AWSOrganizationsV20161128.DescribePolicy' ? recorded.describePolicy
          : req.url?.startsWith('/guardrails?') || req.url === '/guardrails' ? recorded.listGuardrails
            : req.url?.startsWith('/guardrails/') ? recorded.getGuardrail
              : { status: 400, body: { message: `no recorded response for ${req.method} ${req.url}` } };
      res.writeHead(answer.status, { 'content-type': target ? 'application/x-amz-json-1.1' : 'application/json', ...(answer.type && { 'x-amzn-errortype': answer.type }) });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => { await new Promise<void>((resolve) => server.close(() => resolve())); });

beforeEach(() => {
  recorded = clean();
  requests.length = 0;
});

async function read(): Promise<{ status: 'pass' | 'drift'; found: unknown }> {
  const session = new AccountSession(MANAGEMENT, REGION, async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }), { endpoint, maxAttempts: 1 });
  try {
    const found = await readGuardrail(session, fact);
    return { status: canonical(found) === canonical(fact.expected) ? 'pass' : 'drift', found };
  } finally {
    session.destroy();
  }
}

test('recorded responses: the policy names version 3 of the guardrail, READY with the template\'s filters → pass; the calls as the reader sends them', async () => {
  expect(fact).toMatchObject({ control: 'BR-GR-1', account: MANAGEMENT, region: REGION, subject: 'org-baseline-guardrail' });
  expect(await read()).toMatchObject({ status: 'pass' });
  expect(requests.filter((r) => r.target).map((r) => [r.target, JSON.parse(r.body)])).toEqual([
    ['AWSOrganizationsV20161128.ListPolicies', { Filter: 'BEDROCK_POLICY' }],
    ['AWSOrganizationsV20161128.DescribePolicy', { PolicyId: POLICY_ID }],
  ]);
  expect(requests.filter((r) => !r.target).map((r) => [r.method, r.url])).toEqual([
    ['GET', '/guardrails'],
    ['GET', `/guardrails/${GUARDRAIL_ID}?guardrailVersion=3`],
  ]);
});

test('recorded responses: the policy names the DRAFT → drift, the identifier found, the version not read', async () => {
  recorded.describePolicy = { status: 200, body: { Policy: { PolicySummary: policySummary, Content: recordedPolicyContent(`${GUARDRAIL_ARN}:DRAFT`) } } };
  const { status, found } = await read();
  expect(status).toBe('drift');
  expect(found).toMatchObject({ guardrail: 'org-baseline-guardrail', policyNames: `${GUARDRAIL_ARN}:DRAFT`, versionStatus: null, contentFilters: null });
  expect(requests.some((r) => r.url?.startsWith(`/guardrails/${GUARDRAIL_ID}`))).toBe(false);
});

test('recorded responses: the policy names another account\'s guardrail → drift naming it', async () => {
  const foreign = `arn:aws:bedrock:${REGION}:999988887777:guardrail/zzzzzzzzzzzz:1`;
  recorded.describePolicy = { status: 200, body: { Policy: { PolicySummary: policySummary, Content: recordedPolicyContent(foreign) } } };
  expect(await read()).toMatchObject({ status: 'drift', found: { policyNames: foreign } });
});

test('recorded response: the named version deleted (GetGuardrail answers ResourceNotFoundException) → drift with no status', async () => {
  recorded.getGuardrail = { status: 404, type: 'ResourceNotFoundException', body: { message: 'The specified resource ARN was not found. Check the ARN and try your request again.' } };
  expect(await read()).toMatchObject({ status: 'drift', found: { policyNames: 'org-baseline-guardrail:numeric version', versionStatus: null, piiEntities: null } });
});

test('recorded response: a version with the prompt-attack filter lowered and e-mail addresses let through → drift naming both', async () => {
  const version = recordedVersion() as {
    contentPolicy: { filters: { type: string; inputStrength: string }[] };
    sensitiveInformationPolicy: { piiEntities: { type: string; action: string }[] };
  };
  version.contentPolicy.filters.find((f) => f.type === 'PROMPT_ATTACK')!.inputStrength = 'LOW';
  version.sensitiveInformationPolicy.piiEntities = version.sensitiveInformationPolicy.piiEntities.filter((e) => e.type !== 'EMAIL');
  recorded.getGuardrail = { status: 200, body: version };
  const { status, found } = await read();
  expect(status).toBe('drift');
  const f = found as { contentFilters: { type: string; inputStrength: string }[]; piiEntities: { type: string }[] };
  expect(f.contentFilters.find((c) => c.type === 'PROMPT_ATTACK')!.inputStrength).toBe('LOW');
  expect(f.piiEntities.map((e) => e.type)).not.toContain('EMAIL');
});

test('recorded responses: no guardrail of that name in the Region, no Bedrock policy → drift, found null', async () => {
  recorded.listGuardrails = { status: 200, body: { guardrails: [] } };
  recorded.listPolicies = { status: 200, body: { Policies: [] } };
  expect(await read()).toMatchObject({ status: 'drift', found: { guardrail: null, policyNames: null, versionStatus: null } });
});

test('recorded response: access denied on ListGuardrails is an error (the fact is unreadable), never a pass', async () => {
  recorded.listGuardrails = { status: 403, type: 'AccessDeniedException', body: { message: 'User is not authorized to perform: bedrock:ListGuardrails' } };
  await expect(read()).rejects.toMatchObject({ name: 'AccessDeniedException' });
});
