import { resourcesOf, type Assembly } from './assembly';
import { isLiteral, type Fact } from './fact';

/**
 * CT-1 facts: each trail's settings (multi-Region, organization trail, global service events, log-file validation,
 * bucket, the KMS key's account and Region), that it is logging, and its advanced event selectors (management events
 * and the Bedrock data events). The key is compared by account and Region: CloudTrail returns the key's ARN where the
 * template names the archive key by its alias.
 */

/** An advanced event selector in a stable order (selectors by name, field selectors by field). */
export interface EventSelector {
  readonly Name?: string;
  readonly FieldSelectors: readonly Record<string, unknown>[];
}

export function normalizeSelectors(selectors: readonly EventSelector[]): EventSelector[] {
  return selectors.map((s) => ({
    Name: s.Name,
    FieldSelectors: s.FieldSelectors.map((f) => Object.fromEntries(Object.entries(f)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v])))
      .sort((a, b) => String(a.Field).localeCompare(String(b.Field))),
  })).sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
}

/** `{ account, region }` of a KMS ARN (key or alias), or the value as it is when it is no ARN. */
export function kmsKeyLocation(keyId: unknown): unknown {
  const arn = /^arn:[^:]+:kms:([^:]+):(\d{12}):/.exec(String(keyId ?? ''));
  return arn ? { account: arn[2], region: arn[1] } : (keyId ?? null);
}

/** The settings the verifier compares, from the template's properties or GetTrail's answer (same field names). */
export function trailSettings(trail: Record<string, unknown>): Record<string, unknown> {
  return {
    IsMultiRegionTrail: trail.IsMultiRegionTrail ?? false,
    IsOrganizationTrail: trail.IsOrganizationTrail ?? false,
    IncludeGlobalServiceEvents: trail.IncludeGlobalServiceEvents ?? true,
    LogFileValidationEnabled: trail.LogFileValidationEnabled ?? trail.EnableLogFileValidation ?? false,
    S3BucketName: trail.S3BucketName ?? null,
    KmsKey: kmsKeyLocation(trail.KmsKeyId ?? trail.KMSKeyId),
  };
}

export function trailFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => resourcesOf(stack.template, 'AWS::CloudTrail::Trail').flatMap(([, props]) => {
    if (!isLiteral(props.TrailName)) return [];
    const name = String(props.TrailName);
    const base = { control: 'CT-1', account: stack.account, region: stack.region, clientRegion: stack.region, subject: name };
    const facts: Fact[] = [
      { ...base, kind: 'trail-settings', call: `cloudtrail:GetTrail ${name}`, expected: trailSettings(props) },
      { ...base, kind: 'trail-logging', call: `cloudtrail:GetTrailStatus ${name}`, expected: { IsLogging: props.IsLogging === true } },
    ];
    if (Array.isArray(props.AdvancedEventSelectors) && isLiteral(props.AdvancedEventSelectors)) {
      facts.push({
        ...base,
        kind: 'trail-event-selectors',
        call: `cloudtrail:GetEventSelectors ${name}`,
        expected: normalizeSelectors(props.AdvancedEventSelectors as EventSelector[]),
      });
    }
    return facts;
  }));
}
