import { exampleEstate } from '../../../support/example-estate';

/*
 * The example organization's tenant with `workloads.supportChat.privacy` (config/governance.yaml): the privacy function
 * deploys with the tenant (the shared example estate, every gate on), its officer role trusts the configured roles only,
 * and the function finds the analytics exports of the tenant's own bucket with the tenant's own pseudonym key.
 */
type Resource = { Type: string; Properties: Record<string, any> };

describe('the privacy capability in the example tenant', () => {
  const [chat] = exampleEstate().supportChat;
  const resources = Object.entries(chat.template.toJSON().Resources as Record<string, Resource>);
  const config = exampleEstate().config.workloads.supportChat!;

  test('the officer role trusts exactly the configured roles', () => {
    const officer = resources.find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'support-chat-privacy-officer-eu-central-1');
    expect(officer).toBeDefined();
    const statements = officer![1].Properties.AssumeRolePolicyDocument.Statement as { Principal: { AWS: unknown } }[];
    const principals = statements.flatMap((s) => [s.Principal.AWS].flat());
    expect(principals.sort()).toEqual([...config.privacy!.officerRoleArns].sort());
  });

  test('the privacy function reads the tenant\'s analytics bucket and pseudonym key', () => {
    const fn = resources.find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'support-chat-privacy');
    expect(fn).toBeDefined();
    const env = JSON.stringify(fn![1].Properties.Environment.Variables);
    const [bucketId] = resources.find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('AnalyticsBucket'))!;
    const [secretId] = resources.find(([id, r]) => r.Type === 'AWS::SecretsManager::Secret' && id.startsWith('AnalyticsPseudonymKey'))!;
    expect(env).toContain(bucketId);
    expect(env).toContain(secretId);
  });
});
