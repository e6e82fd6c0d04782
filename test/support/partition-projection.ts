/**
 * Athena partition projection, as the tests read it from a table's parameters (the Glue table properties Athena uses,
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html): which partition an S3
 * folder is, if the projection can produce it at all.
 */

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regex a projected value of `key` must match: an enum's values, or the digits of a date's format. */
function valuePattern(parameters: Readonly<Record<string, string>>, key: string): string {
  const type = parameters[`projection.${key}.type`];
  if (type === 'enum') return parameters[`projection.${key}.values`].split(',').map(escape).join('|');
  if (type === 'date') return parameters[`projection.${key}.format`].replace(/yyyy/, '\\d{4}').replace(/MM|dd|HH/g, '\\d{2}');
  throw new Error(`projection.${key}.type ${JSON.stringify(type)} is not one the tests know`);
}

/**
 * Resolves an object's folder against the table's `storage.location.template`, as Athena does when it projects
 * partitions: the values each key must take, or undefined when the folder is not one the projection can produce
 * (a value the enum does not list, or a date before the projected range).
 */
export function partitionOf(parameters: Readonly<Record<string, string>>, folder: string): Record<string, string> | undefined {
  const template = parameters['storage.location.template'];
  const keys: string[] = [];
  const source = template.split(/(\$\{\w+\})/).map((part) => {
    const m = /^\$\{(\w+)\}$/.exec(part);
    if (!m) return escape(part);
    keys.push(m[1]);
    return `(${valuePattern(parameters, m[1])})`;
  }).join('');
  const match = new RegExp(`^${source}$`).exec(folder);
  if (!match) return undefined;
  const values = Object.fromEntries(keys.map((k, i) => [k, match[i + 1]]));
  for (const key of keys) {
    if (parameters[`projection.${key}.type`] !== 'date') continue;
    const start = parameters[`projection.${key}.range`].split(',')[0];
    if (values[key] < start) return undefined; // before the projected range
  }
  return values;
}

/** Renders the location template with partition values: the folder Athena reads for them. */
export function renderLocation(parameters: Readonly<Record<string, string>>, values: Record<string, string>): string {
  return parameters['storage.location.template'].replace(/\$\{(\w+)\}/g, (_, k: string) => values[k]);
}
