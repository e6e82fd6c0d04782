import type { PlacedWidget } from '../widgets/layout';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A dashboard as a synthesized template holds it, with its body parsed. */
export interface SynthesizedDashboard {
  readonly name: string;
  readonly widgets: readonly PlacedWidget[];
}

/**
 * The `AWS::CloudWatch::Dashboard` resources of a synthesized template with their bodies parsed. References in a body
 * (the alarm widget's alarm ARNs are `Fn::GetAtt`s) are replaced by the referenced alarm's name, or by `<Ref>` for
 * anything else, so the preview and the tests read what CloudFormation will put there.
 */
export function synthesizedDashboards(template: { Resources?: Record<string, TemplateResource> }): SynthesizedDashboard[] {
  const resources = template.Resources ?? {};
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id] = v['Fn::GetAtt'] as [string, string];
      return String(resources[id]?.Properties?.AlarmName ?? `<${id}>`);
    }
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    throw new Error(`unexpected value in a dashboard body: ${JSON.stringify(value)}`);
  };
  return Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').map((r) => {
    const body = JSON.parse(resolve(r.Properties!.DashboardBody)) as { widgets: PlacedWidget[] };
    return { name: String(r.Properties!.DashboardName), widgets: body.widgets };
  });
}
