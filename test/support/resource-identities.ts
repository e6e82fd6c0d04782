/** Properties that name what a resource is, for the resource types that have one. */
const NAME_PROPERTIES = ['AlarmName', 'ManagedPolicyName', 'PolicyName', 'RoleName', 'BucketName', 'FunctionName', 'LogGroupName', 'TopicName', 'Name', 'TableInput'];

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** What a resource is, whatever its logical id: its type and its name (a table's name), where it has one. */
export function resourceIdentity(resource: TemplateResource): string {
  const key = NAME_PROPERTIES.find((k) => resource.Properties?.[k] !== undefined);
  const name = key === 'TableInput' ? (resource.Properties!.TableInput as { Name: string }).Name : key && resource.Properties![key];
  return `${resource.Type} ${JSON.stringify(name ?? null)}`;
}

/**
 * A template's resources as logical id → identity: what CloudFormation keys resources on, and what each id stands for.
 * `AWS::CDK::Metadata` is left out: the CDK CLI's version report, which the build's assembly of the example has and an
 * in-process synth does not.
 */
export function resourceIdentities(template: { Resources?: unknown }): Record<string, string> {
  const resources = (template.Resources ?? {}) as Record<string, TemplateResource>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata').map(([id, r]) => [id, resourceIdentity(r)]));
}
