import { GetGuardrailCommand, paginateListGuardrails, type GuardrailSummary } from '@aws-sdk/client-bedrock';
import { DescribePolicyCommand, paginateListPolicies } from '@aws-sdk/client-organizations';
import type { AccountSession } from './account-session';
import type { Fact } from './fact';
import { contentFilterShapes, NUMERIC_VERSION, piiEntityShapes, regexShapes, type GuardrailShape } from './facts-guardrail';

/**
 * BR-GR-1: the Bedrock policy of the fact's Region and the guardrail version it names. The policy by name among the
 * organization's `BEDROCK_POLICY` policies (listed once per session), its identifier for the Region
 * (`bedrock.guardrail_inference.<region>.<config>.identifier`, `<guardrail ARN>:<version>`), the guardrail by name
 * among this account × Region's guardrails (`ListGuardrails` without an identifier lists each guardrail once, as its
 * DRAFT), and the version the policy names (`GetGuardrail` with `guardrailVersion`). A version that does not exist is
 * found as a null status; the content is then not read.
 */

const NUMERIC = /^[1-9][0-9]{0,7}$/;

async function bedrockPolicyIdentifiers(session: AccountSession, name: string, region: string): Promise<string[] | null> {
  const ids = await session.once('organizations:ListPolicies BEDROCK_POLICY', async () => {
    const byName = new Map<string, string>();
    for await (const page of paginateListPolicies({ client: session.organizations }, { Filter: 'BEDROCK_POLICY' })) {
      for (const p of page.Policies ?? []) if (p.Name && p.Id) byName.set(p.Name, p.Id);
    }
    return byName;
  });
  const id = ids.get(name);
  if (!id) return null;
  const answer = await session.organizations.send(new DescribePolicyCommand({ PolicyId: id }));
  const content = JSON.parse(answer.Policy?.Content ?? '{}') as {
    bedrock?: { guardrail_inference?: Record<string, Record<string, { identifier?: { '@@assign'?: unknown } }>> };
  };
  return Object.values(content.bedrock?.guardrail_inference?.[region] ?? {})
    .map((c) => c.identifier?.['@@assign'])
    .filter((i): i is string => typeof i === 'string');
}

async function guardrailByName(session: AccountSession, name: string): Promise<GuardrailSummary | undefined> {
  const all = await session.once('bedrock:ListGuardrails', async () => {
    const summaries: GuardrailSummary[] = [];
    for await (const page of paginateListGuardrails({ client: session.bedrock }, {})) summaries.push(...page.guardrails ?? []);
    return summaries;
  });
  return all.find((g) => g.name === name);
}

export async function readGuardrail(session: AccountSession, fact: Fact): Promise<unknown> {
  const expected = fact.expected as GuardrailShape;
  const [identifiers, guardrail] = await Promise.all([
    bedrockPolicyIdentifiers(session, expected.policy, fact.region), guardrailByName(session, fact.subject),
  ]);
  const unread = {
    ...('versionStatus' in expected && { versionStatus: null }),
    ...(expected.contentFilters && { contentFilters: null }),
    ...(expected.piiEntities && { piiEntities: null }),
    ...(expected.regexes && { regexes: null }),
  };
  const named = guardrail?.arn ? identifiers?.find((i) => i.startsWith(`${guardrail.arn}:`)) : undefined;
  const version = named?.slice(`${guardrail!.arn}:`.length);
  if (!guardrail || !named || !version || !NUMERIC.test(version)) {
    return { guardrail: guardrail ? fact.subject : null, policy: expected.policy, policyNames: named ?? identifiers?.[0] ?? null, ...unread };
  }
  const found = { guardrail: fact.subject, policy: expected.policy, policyNames: `${fact.subject}:${NUMERIC_VERSION}` };
  let answer;
  try {
    answer = await session.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrail.id ?? guardrail.arn, guardrailVersion: version }));
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return { ...found, ...unread };
    throw e;
  }
  return {
    ...found,
    ...('versionStatus' in expected && { versionStatus: answer.status ?? null }),
    ...(expected.contentFilters && { contentFilters: contentFilterShapes(answer.contentPolicy?.filters ?? []) }),
    ...(expected.piiEntities && { piiEntities: piiEntityShapes(answer.sensitiveInformationPolicy?.piiEntities ?? []) }),
    ...(expected.regexes && { regexes: regexShapes(answer.sensitiveInformationPolicy?.regexes ?? []) }),
  };
}
