import type { PolicyDocument } from '../../policies/policy-document';
import { exampleEstate, type SynthesizedStack } from '../support/example-estate';
import { lintPolicy } from '../support/iam-lint';
import { deployPlace, resolveIntrinsics, type Template } from '../support/resolve-intrinsics';

// Every IAM action, operator and condition key in every policy document of every synthesized template (identity
// policies, trust policies, bucket, key, topic and bus policies) exists in AWS's IAM data: a typo would silently grant
// nothing or, in a Deny, deny nothing. And every resource, resolved as CloudFormation resolves it in the stack's
// account and Region, has the ARN shape of a resource type of the statement's actions: a malformed ARN matches nothing.

const POLICY_PROPERTIES = ['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument', 'Policy'];
/** A member account and Region of the example organization: where the member templates are resolved. */
const MEMBER = { account: '741852096357', region: 'eu-west-1' };

interface Document { readonly stack: SynthesizedStack; readonly id: string; readonly document: any }

function policyDocuments(): Document[] {
  const estate = exampleEstate();
  const stacks = [estate.management, estate.logArchive, estate.auditAlerts, estate.auditAnalytics, estate.organizationTrail,
    estate.stackSets, ...estate.guardrails, ...estate.observability, ...estate.macie, estate.baseline.global, estate.baseline.regional];
  return stacks.flatMap((stack) => Object.entries((stack.artifact.template as Template).Resources).flatMap(([id, resource]) =>
    POLICY_PROPERTIES.map((p) => resource.Properties?.[p])
      .filter((doc) => doc && typeof doc === 'object' && Array.isArray(doc.Statement))
      .map((document) => ({ stack, id, document }))));
}

describe('IAM data: every policy of every template speaks AWS\'s IAM', () => {
  const documents = policyDocuments();

  test('every action and condition key of every template exists in AWS\'s IAM data', async () => {
    expect(documents.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const { stack, id, document } of documents) {
      const statements = document.Statement.map((s: any, i: number) => ({ ...s, Resource: '*', NotResource: undefined, Principal: undefined, Sid: `${stack.stackName}/${id}#${s.Sid ?? i}` }));
      problems.push(...await lintPolicy({ ...document, Statement: statements } as PolicyDocument));
    }
    expect(problems).toEqual([]);
  });

  test('every resource, resolved in the stack\'s account and Region, has the shape of a resource type of its actions', async () => {
    const problems: string[] = [];
    let resources = 0;
    for (const { stack, id, document } of documents) {
      const resolved = resolveIntrinsics(document, stack.artifact.template as Template, deployPlace(stack, MEMBER));
      const statements = resolved.Statement.map((s: any, i: number) => ({ ...s, Principal: undefined, Sid: `${stack.stackName}/${id}#${s.Sid ?? i}` }));
      resources += statements.filter((s: any) => s.Resource && s.Resource !== '*').length;
      problems.push(...await lintPolicy({ ...resolved, Statement: statements } as PolicyDocument));
    }
    expect(resources).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });
});
