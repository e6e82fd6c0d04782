import type { Preview } from './preview';

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The preview as Markdown for a pull request or an approval: headline, diff, flips, blocked calls, conflicts. */
export function renderMarkdown(p: Preview): string {
  const lines: string[] = ['# Organizations policy preview', ''];
  const blocked = p.activity?.blocked ?? [];
  lines.push(p.changed
    ? `**Changed**: ${p.diff.length} target/type pair(s) change; ${p.decisions.flips.length} of ${p.decisions.evaluated} decisions flip`
      + (p.activity ? `; this change would have blocked ${p.activity.blockedRecords} recorded call(s) by ${p.activity.blockedPrincipals} role(s)` : '') + '.'
    : `**No change**: the config compiles to the deployed policies (${p.decisions.evaluated} decisions evaluated, none flips).`);
  lines.push('', `Config ${code(p.config)}; deployed snapshot ${code(p.deployed.file)} taken ${p.deployed.takenAt}.`);
  if (p.deployed.unsupportedTypes.length > 0) {
    lines.push('', `Not in the snapshot (the endpoint does not offer them), so not compared: ${p.deployed.unsupportedTypes.map(code).join(', ')}.`);
  }

  if (p.diff.length > 0) {
    lines.push('', '## Policy changes', '', '| target | type | attached | detached | added | removed | changed |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const d of p.diff) {
      const keys = (xs: { key: string }[]) => xs.map((x) => code(cell(x.key))).join(', ') || '–';
      lines.push(`| ${code(d.targetId)} | ${d.policyType} | ${d.attached.map(code).join(', ') || '–'} | ${d.detached.map(code).join(', ') || '–'} `
        + `| ${keys(d.added)} | ${keys(d.removed)} | ${keys(d.changed)} |`);
    }
  }

  lines.push('', '## Decisions that flip', '');
  if (p.decisions.flips.length === 0) {lines.push(`None of the ${p.decisions.evaluated} decisions flips.`);} else {
    lines.push('| decision | before | after | denying controls |', '| --- | --- | --- | --- |');
    for (const f of p.decisions.flips) {
      lines.push(`| ${cell(f.case)} | ${f.before.allowed ? 'allowed' : 'denied'} | ${f.after.allowed ? 'allowed' : 'denied'} `
        + `| ${(f.after.allowed ? f.before.controls : f.after.controls).join(', ')} |`);
    }
  }

  if (p.activity) {
    const a = p.activity;
    lines.push('', '## Recorded activity', '', `${a.records} record(s) from ${a.files.length} file(s), ${a.calls} distinct call(s) replayed; `
      + `${a.unmapped.total} record(s) not replayed${a.unmapped.total > 0 ? ` (${Object.entries(a.unmapped.byReason).map(([r, n]) => `${r}: ${n}`).join('; ')})` : ''}.`);
    if (blocked.length === 0) {lines.push('', 'No recorded call would have been blocked.');} else {
      lines.push('', `This change would have blocked ${a.blockedRecords} call(s) by ${a.blockedPrincipals} role(s):`, '',
        '| eventID | principal | action | resource | Region | denying controls |', '| --- | --- | --- | --- | --- | --- |');
      for (const c of blocked) {
        for (const id of c.eventIds) {
          lines.push(`| ${code(id)} | ${code(c.principal)} | ${code(c.action)} | ${c.resources.map(code).join(', ')} | ${c.region} | ${c.controls.join(', ')} |`);
        }
      }
    }
    if (a.unmapped.total > 0) {
      lines.push('', '<details><summary>Records not replayed, by event</summary>', '', '| event | records |', '| --- | --- |',
        ...Object.entries(a.unmapped.byEvent).sort().map(([e, n]) => `| ${cell(e)} | ${n} |`), '', '</details>');
    }
  }

  if (p.conflicts.length > 0) {
    lines.push('', '## Conflicts with policies attached outside this tool', '');
    for (const c of p.conflicts) lines.push(`- ${code(c.policy)} on ${c.targetIds.map(code).join(', ')} (${c.kind}): ${c.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
