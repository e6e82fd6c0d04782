import { resourcesOf, type Assembly, type Template } from './assembly';
import type { Fact } from './fact';

/**
 * BR-GR-1 facts, per Organizations Bedrock policy (`BEDROCK_POLICY`) of the assembly: the guardrail the policy names
 * exists in the policy's account × Region (`ListGuardrails`, by the template's name), the live policy
 * (`ListPolicies`, `DescribePolicy`) names that guardrail's ARN with a numeric version, that version exists and is
 * `READY` (`GetGuardrail` with `guardrailVersion`), and, where the template sets them, its content filters and
 * sensitive-information filters are the template's. The guardrail's id and version number are assigned at deploy
 * time, so they are found, not expected; the version's content is what ties it to the synthesized guardrail.
 */

/** A content filter as compared. */
export interface ContentFilterShape {
  readonly type: string;
  readonly inputStrength: string;
  readonly outputStrength: string;
}

/** A PII entity as compared. */
export interface PiiEntityShape {
  readonly type: string;
  readonly action: string;
}

/** A regular expression of the sensitive-information policy as compared. */
export interface RegexShape {
  readonly name: string;
  readonly pattern: string;
  readonly action: string;
}

/** What the verifier compares of the Bedrock policy and the guardrail version it names. */
export interface GuardrailShape {
  /** The guardrail's name, found by `ListGuardrails` in this account × Region; null when none has it. */
  readonly guardrail: string | null;
  /** The Bedrock policy's name. */
  readonly policy: string;
  /**
   * `<guardrail name>:<numeric version>` as expected: the policy names this guardrail's ARN with a numeric version.
   * Found: that, or the identifier the policy holds (null: no policy of that name, or no identifier for the Region).
   */
  readonly policyNames: string | null;
  /** The status of the version the policy names (`READY`), or null when it does not exist. */
  readonly versionStatus?: string | null;
  readonly contentFilters?: readonly ContentFilterShape[];
  readonly piiEntities?: readonly PiiEntityShape[];
  readonly regexes?: readonly RegexShape[];
}

/** What `policyNames` is expected to be: the guardrail, with a numeric version. */
export const NUMERIC_VERSION = 'numeric version';

export function contentFilterShapes(filters: readonly { type?: string; inputStrength?: string; outputStrength?: string }[]): ContentFilterShape[] {
  return filters.map((f) => ({ type: String(f.type), inputStrength: String(f.inputStrength), outputStrength: String(f.outputStrength) }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

export function piiEntityShapes(entities: readonly { type?: string; action?: string }[]): PiiEntityShape[] {
  return entities.map((e) => ({ type: String(e.type), action: String(e.action) })).sort((a, b) => a.type.localeCompare(b.type));
}

export function regexShapes(regexes: readonly { name?: string; pattern?: string; action?: string }[]): RegexShape[] {
  return regexes.map((r) => ({ name: String(r.name), pattern: String(r.pattern), action: String(r.action) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

type GetAtt = { 'Fn::GetAtt': [string, string] };

/** The guardrail resource a policy identifier `Fn::Join [':', [GetAtt Guardrail.GuardrailArn, GetAtt Version.Version]]` names. */
function guardrailOfIdentifier(identifier: unknown, template: Template): Record<string, unknown> | undefined {
  const join = (identifier as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const arn = join?.[1]?.[0] as GetAtt | undefined;
  const logicalId = arn?.['Fn::GetAtt']?.[1] === 'GuardrailArn' ? arn['Fn::GetAtt'][0] : undefined;
  const resource = logicalId ? template.Resources?.[logicalId] : undefined;
  return resource?.Type === 'AWS::Bedrock::Guardrail' ? resource.Properties ?? {} : undefined;
}

export function guardrailFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => resourcesOf(stack.template, 'AWS::Organizations::Policy')
    .filter(([, p]) => p.Type === 'BEDROCK_POLICY')
    .flatMap(([, p]): Fact[] => {
      type Inference = Record<string, Record<string, { identifier?: { '@@assign'?: unknown } }>>;
      const inference = (p.Content as { bedrock?: { guardrail_inference?: Inference } }).bedrock?.guardrail_inference ?? {};
      return Object.entries(inference).flatMap(([region, configs]) => Object.values(configs).flatMap((c): Fact[] => {
        const guardrail = guardrailOfIdentifier(c.identifier?.['@@assign'], stack.template);
        if (!guardrail || typeof guardrail.Name !== 'string') return [];
        type Filter = { Type: string; InputStrength: string; OutputStrength: string };
        const content = guardrail.ContentPolicyConfig as { FiltersConfig?: Filter[] } | undefined;
        const sensitive = guardrail.SensitiveInformationPolicyConfig as {
          PiiEntitiesConfig?: { Type: string; Action: string }[];
          RegexesConfig?: { Name: string; Pattern: string; Action: string }[];
        } | undefined;
        const expected: GuardrailShape = {
          guardrail: guardrail.Name,
          policy: String(p.Name),
          policyNames: `${guardrail.Name}:${NUMERIC_VERSION}`,
          versionStatus: 'READY',
          ...(content?.FiltersConfig && {
            contentFilters: contentFilterShapes(content.FiltersConfig.map((f) => ({
              type: f.Type, inputStrength: f.InputStrength, outputStrength: f.OutputStrength,
            }))),
          }),
          ...(sensitive?.PiiEntitiesConfig && {
            piiEntities: piiEntityShapes(sensitive.PiiEntitiesConfig.map((e) => ({ type: e.Type, action: e.Action }))),
          }),
          ...(sensitive?.RegexesConfig && {
            regexes: regexShapes(sensitive.RegexesConfig.map((r) => ({ name: r.Name, pattern: r.Pattern, action: r.Action }))),
          }),
        };
        return [{
          control: 'BR-GR-1',
          account: stack.account,
          region,
          clientRegion: region,
          kind: 'guardrail',
          subject: guardrail.Name,
          call: `organizations:DescribePolicy, bedrock:ListGuardrails, bedrock:GetGuardrail ${guardrail.Name}`,
          expected,
        }];
      }));
    }));
}
