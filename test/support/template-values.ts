/**
 * A synthesized template value with its intrinsic functions written out, for readable assertions: `Fn::Join` joined,
 * `Ref` as `${LogicalId}`, `Fn::GetAtt` as `${LogicalId.Attribute}`; arrays and objects flattened member by member.
 */
export function flatten(value: any): any {
  if (Array.isArray(value)) return value.map(flatten);
  if (value && typeof value === 'object') {
    if (value['Fn::Join']) return (value['Fn::Join'][1] as unknown[]).map(flatten).join(value['Fn::Join'][0]);
    if (value['Fn::GetAtt']) return `\${${value['Fn::GetAtt'].join('.')}}`;
    if (value.Ref) return `\${${value.Ref}}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatten(v)]));
  }
  return value;
}
