import type { FindingStatus, VerifyReport } from './finding';
import type { AwsManagedObservation } from './read-detective';

/** The report as Markdown: counts per control, then every finding that is not `pass` with expected, found and call. */

function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > 400 ? `${text.slice(0, 400)}…` : text;
  return `\`${short.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

export function renderMarkdown(report: VerifyReport): string {
  const { pass, drift, unreadable } = report.summary;
  const lines = [
    '# Verification report',
    '',
    `Assembly \`${report.assembly}\`${report.endpoint ? `, endpoint \`${report.endpoint}\`` : ''}: ${pass} pass, ${drift} drift, ${unreadable} unreadable.`,
    '',
    '| control | pass | drift | unreadable |',
    '| --- | --- | --- | --- |',
  ];
  const perControl = new Map<string, Record<FindingStatus, number>>();
  for (const f of report.findings) {
    const counts = perControl.get(f.control) ?? { pass: 0, drift: 0, unreadable: 0 };
    counts[f.status]++;
    perControl.set(f.control, counts);
  }
  for (const [control, c] of perControl) lines.push(`| ${control} | ${c.pass} | ${c.drift} | ${c.unreadable} |`);
  const problems = report.findings.filter((f) => f.status !== 'pass');
  lines.push('', problems.length === 0 ? 'Every fact was found as expected.' : '## Drift and unreadable', '');
  if (problems.length > 0) {
    lines.push('| status | control | account | region | subject | expected | found | call |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const f of problems) {
      lines.push(`| ${f.status} | ${f.control} | ${f.account} | ${f.region} | ${f.subject} | ${cell(f.expected)} | ${cell(f.found)} | ${f.call} |`);
    }
    lines.push('');
  }
  if (report.awsManaged !== undefined) lines.push(...awsManagedLines(report.awsManaged));
  return lines.join('\n');
}

/** What AWS's own checks found (Security Hub's AI standard, the conformance pack): beside the findings, never drift. */
function awsManagedLines(observations: readonly AwsManagedObservation[]): string[] {
  const lines = ['## AWS-managed detective controls', '', 'AWS\'s own findings about resources, not drift of this verifier.', ''];
  lines.push('| source | account | region | what AWS found |', '| --- | --- | --- | --- |');
  for (const o of observations) {
    const found = o.error ? `unreadable: ${o.error.error}: ${o.error.message}`
      : o.source === 'security-hub'
        ? `${Object.entries(o.counts ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'no findings'}${o.failedControls?.length ? `; failed: ${o.failedControls.join(', ')}` : ''}`
        : `${o.pack}: ${(o.accounts ?? []).map((a) => `${a.account} ${a.status}`).join(', ') || 'no account'}`;
    lines.push(`| ${o.source} | ${o.account} | ${o.region} | ${found.replace(/\|/g, '\\|')} |`);
  }
  if (observations.length === 0) lines.push('| – | – | – | nothing read |');
  lines.push('');
  return lines;
}
