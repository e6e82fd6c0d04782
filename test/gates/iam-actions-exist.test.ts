import type { PolicyDocument } from '../../policies/policy-document';
import { exampleEstate } from '../support/example-estate';
import { lintPolicy } from '../support/iam-lint';

// Every IAM action, operator and condition key in every policy document of every synthesized template (identity
// policies, trust policies, bucket, key, topic and bus policies) exists in AWS's IAM data: a typo would silently grant
// nothing or, in a Deny, deny nothing. Resources are left to the per-control tests (templates hold them as references).

const POLICY_PROPERTIES = ['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument', 'Policy'];

test('every action and condition key of every template exists in AWS\'s IAM data', async () => {
  const estate = exampleEstate();
  const stacks = [estate.management, estate.logArchive, estate.auditAlerts, estate.auditAnalytics, estate.organizationTrail,
    estate.stackSets, ...estate.guardrails, estate.baseline.global, estate.baseline.regional];
  const problems: string[] = [];
  let documents = 0;
  for (const stack of stacks) {
    type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;
    const template = stack.artifact.template as { Resources: Resources };
    for (const [id, resource] of Object.entries(template.Resources)) {
      for (const property of POLICY_PROPERTIES) {
        const doc = resource.Properties?.[property];
        if (!doc || typeof doc !== 'object' || !Array.isArray(doc.Statement)) continue;
        documents++;
        const statements = doc.Statement.map((s: any, i: number) => ({ ...s, Resource: '*', NotResource: undefined, Principal: undefined, Sid: `${stack.stackName}/${id}#${s.Sid ?? i}` }));
        problems.push(...await lintPolicy({ ...doc, Statement: statements } as PolicyDocument));
      }
    }
  }
  expect(documents).toBeGreaterThan(40);
  expect(problems).toEqual([]);
});
