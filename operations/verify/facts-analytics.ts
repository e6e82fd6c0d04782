import { resourcesOf, type Assembly } from './assembly';
import { isLiteral, type Fact } from './fact';

/**
 * LF-1 facts: the archive tables' partition projection (every `projection.*` table property and
 * `storage.location.template`, which must match the keys AWS writes) and the LF-tags with their values.
 */

/** The properties of a table's `Parameters` the verifier compares. */
export function projectionProperties(parameters: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters ?? {})
    .filter(([k]) => k.startsWith('projection.') || k === 'storage.location.template')
    .sort(([a], [b]) => a.localeCompare(b)));
}

export function analyticsFacts(assembly: Assembly): Fact[] {
  return assembly.stacks.flatMap((stack) => {
    const base = { control: 'LF-1', account: stack.account, region: stack.region, clientRegion: stack.region };
    const tables = resourcesOf(stack.template, 'AWS::Glue::Table').flatMap(([, p]): Fact[] => {
      const input = p.TableInput as { Name?: unknown; Parameters?: Record<string, unknown> } | undefined;
      const expected = projectionProperties(input?.Parameters);
      if (!isLiteral(p.DatabaseName) || !isLiteral(input?.Name) || !isLiteral(expected) || Object.keys(expected).length === 0) return [];
      const subject = `${String(p.DatabaseName)}.${String(input!.Name)}`;
      return [{ ...base, kind: 'glue-table-projection', subject, call: `glue:GetTable ${subject}`, expected }];
    });
    const tags = resourcesOf(stack.template, 'AWS::LakeFormation::Tag')
      .filter(([, p]) => isLiteral(p.TagKey) && isLiteral(p.TagValues))
      .map(([, p]): Fact => ({
        ...base,
        kind: 'lf-tag',
        subject: String(p.TagKey),
        call: `lakeformation:GetLFTag ${String(p.TagKey)}`,
        expected: { TagValues: [...(p.TagValues as string[])].sort() },
      }));
    return [...tables, ...tags];
  });
}
