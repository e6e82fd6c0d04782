/** One embedded-metric-format document a function printed (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html). */
export interface EmfDocument {
  readonly namespace: string;
  /** The dimension sets of the document's metric directive, as CloudWatch reads them. */
  readonly dimensions: readonly (readonly string[])[];
  /** Each metric's name, unit and value (the root member of its name). */
  readonly metrics: readonly { readonly name: string; readonly unit?: string; readonly value: unknown }[];
  /** The document's root members: dimension values, metric values and any other property. */
  readonly members: Readonly<Record<string, unknown>>;
}

/** What the tap read from stdout: EMF documents and the other JSON log lines (Powertools' Logger). */
export interface EmfTap {
  readonly documents: EmfDocument[];
  readonly logs: Record<string, unknown>[];
  /** Puts `process.stdout.write` back. */
  close(): void;
}

/** The document's EMF directive, when the line is one: `_aws.CloudWatchMetrics[0]`. */
export function parseEmf(line: string): EmfDocument | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  type Directive = { Namespace?: unknown; Dimensions?: unknown; Metrics?: { Name?: unknown; Unit?: unknown }[] };
  const root = parsed as { _aws?: { CloudWatchMetrics?: Directive[] } };
  const directive = root?._aws?.CloudWatchMetrics?.[0];
  if (!directive || typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) return undefined;
  const members = parsed as Record<string, unknown>;
  return {
    namespace: directive.Namespace,
    dimensions: Array.isArray(directive.Dimensions) ? directive.Dimensions as string[][] : [],
    metrics: directive.Metrics.map((m) => ({ name: String(m.Name), unit: typeof m.Unit === 'string' ? m.Unit : undefined, value: members[String(m.Name)] })),
    members,
  };
}

/** One line per document: `EMF <namespace> <dimension=value …> <metric=value …>`. */
export function emfSummary(document: EmfDocument): string {
  const dimensions = [...new Set(document.dimensions.flat())].map((d) => `${d}=${String(document.members[d])}`);
  const metrics = document.metrics.map((m) => `${m.name}=${String(m.value)}${m.unit === 'Milliseconds' ? 'ms' : ''}`);
  return ['EMF', document.namespace, ...dimensions, ...metrics].join(' ');
}

/**
 * Reads the JSON lines written to this process's stdout (where Powertools' Logger and Metrics print outside Lambda, as
 * Lambda's runtime would send them to CloudWatch Logs): EMF documents into `documents`, other JSON objects into `logs`.
 * Each is passed on to `echo` (a summary line per EMF document, say) instead of the terminal unless `passThrough`;
 * everything else on stdout goes through unchanged.
 */
export function tapEmf(options: { readonly echo?: (document: EmfDocument) => void; readonly passThrough?: boolean } = {}): EmfTap {
  const documents: EmfDocument[] = [];
  const logs: Record<string, unknown>[] = [];
  const original = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    const lines = text?.split('\n').filter((l) => l.trim().length > 0) ?? [];
    const json = lines.length > 0 && lines.every((l) => l.trimStart().startsWith('{'));
    if (!json) return original(chunk, ...rest);
    for (const line of lines) {
      const document = parseEmf(line);
      if (document) {
        documents.push(document);
        options.echo?.(document);
        continue;
      }
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        return original(chunk, ...rest);
      }
    }
    if (options.passThrough) return original(chunk, ...rest);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return { documents, logs, close: () => { process.stdout.write = original as typeof process.stdout.write; } };
}
