import { createHash } from 'node:crypto';
import { actionOf, CHECK_PROOFS } from './check-proofs';
import type { Finding, FindingStatus, VerifyReport } from './finding';
import type { ConformancePackObservation, SecurityHubObservation } from './read-detective';
import type { VerifyRun } from './run-record';

/**
 * The report as one self-contained HTML page for an auditor: the summary (counts, run, config and assembly digests),
 * a matrix of controls × accounts and Regions, every drift and unreadable finding with expected, found and the call,
 * every finding, and how each check was verified. Everything is inline: the page loads nothing (its Content Security
 * Policy allows only its own style and script, by hash), and reads whole without its script, which only adds a filter.
 * Every value is HTML-escaped: a drifted value is whatever the estate holds, `<script>` included.
 */

/** Markup that is already escaped. */
class Markup {
  constructor(public readonly text: string) {}
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function fragment(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === undefined || value === null) return '';
  return escapeHtml(String(value));
}

/** A template whose every interpolated value is escaped, unless it is markup made by `html` itself. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + fragment(values[i - 1]) + s));
}

const STATUSES: readonly FindingStatus[] = ['pass', 'drift', 'unreadable'];

/** The report's sections, by id: the auditor guide points at them. */
export const REPORT_SECTIONS = {
  'summary': 'Summary',
  'problems': 'Drift and unreadable',
  'controls': 'Controls × accounts and Regions',
  'findings': 'Every finding',
  'aws-managed': 'AWS-managed detective controls',
  'how-verified': 'How each check was verified',
} as const;

const STYLE = `
body{font:15px/1.45 system-ui,"DejaVu Sans",sans-serif;color:#1b1b1b;background:#fff;margin:0 auto;max-width:1400px;padding:0 1.5rem 3rem}
h1{font-size:1.6rem;margin:1.2rem 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ccc}h3{font-size:1rem;margin:.2rem 0}
table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f1f1}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{font-size:1.1rem;font-weight:600;padding:.5rem .8rem;border-left:.4rem solid}
.verdict.ok{border-color:#0a6b2d;background:#eaf6ee}.verdict.bad{border-color:#a4000f;background:#fbecee}
.counts{display:flex;gap:1rem;margin:.8rem 0}.counts div{border:1px solid #c8c8c8;padding:.4rem 1rem;min-width:7rem}
.counts b{display:block;font-size:1.8rem}
.pass{color:#0a6b2d}.drift{color:#a4000f}.unreadable{color:#7a4a00}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}dl.run dt{font-weight:600}dl.run dd{margin:0;overflow-wrap:anywhere}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:13px}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.4rem;margin:.2rem 0;max-height:18rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.scroll{overflow-x:auto}.matrix td{text-align:center;white-space:nowrap}.matrix{font-size:13px}.matrix th[scope=row]{max-width:14rem}.matrix td,.matrix th{padding:.2rem .35rem}.id{white-space:nowrap}
.problem{border:1px solid #c8c8c8;border-left:.4rem solid #a4000f;padding:.5rem .8rem;margin:.8rem 0}
.problem.problem-unreadable{border-left-color:#7a4a00}h4{margin:.3rem 0 0;font-size:.9rem}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
#filter:not([hidden]){margin:.5rem 0;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.note{color:#444}
`;

/** Counts live in the page's markup (`data-*`), so tests and readers take them from the page as shown. */
const SCRIPT = `
(function(){
  var form=document.getElementById('filter');var rows=[].slice.call(document.querySelectorAll('#findings tbody tr'));
  var shown=document.getElementById('filter-shown');form.hidden=false;
  function apply(){
    var want={};[].forEach.call(form.querySelectorAll('input[type=checkbox]'),function(c){want[c.value]=c.checked;});
    var text=form.querySelector('input[type=search]').value.toLowerCase();var n=0;
    rows.forEach(function(r){var on=want[r.getAttribute('data-status')]&&(!text||r.textContent.toLowerCase().indexOf(text)>=0);r.hidden=!on;if(on)n++;});
    shown.textContent=n+' of '+rows.length+' findings shown';
  }
  form.addEventListener('input',apply);form.addEventListener('submit',function(e){e.preventDefault();});apply();
})();
`;

function sha256Source(source: string): string {
  return `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

function countBy<K>(findings: readonly Finding[], key: (f: Finding) => K): Map<K, Record<FindingStatus, number>> {
  const counts = new Map<K, Record<FindingStatus, number>>();
  for (const f of findings) {
    const c = counts.get(key(f)) ?? { pass: 0, drift: 0, unreadable: 0 };
    c[f.status]++;
    counts.set(key(f), c);
  }
  return counts;
}

function statusCell(c: Record<FindingStatus, number> | undefined): Markup {
  if (!c) return html`<td><span class="note">–</span></td>`;
  const worst = c.unreadable > 0 ? 'unreadable' : c.drift > 0 ? 'drift' : 'pass';
  const parts = STATUSES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`).join(', ');
  return html`<td class="${worst}" data-status="${worst}">${worst === 'pass' ? '✓ ' : '✗ '}${parts}</td>`;
}

function accountLabel(account: string, run: VerifyRun | undefined): string {
  const name = run?.accountNames[account];
  return name ? `${name} (${account})` : account;
}

function summarySection(report: VerifyReport, run: VerifyRun | undefined): Markup {
  const { pass, drift, unreadable } = report.summary;
  const ok = drift + unreadable === 0;
  const verdict = ok
    ? `Every one of the ${pass} facts read was found as expected.`
    : `${drift} drift and ${unreadable} unreadable of ${report.findings.length} facts: the estate is not as the assembly says (exit status 1).`;
  const endpoint = report.endpoint === null
    ? 'AWS\'s endpoints: the deployed estate'
    : `${report.endpoint}: not AWS's endpoints (an emulator such as verify:local's moto, which enforces no SCP, RCP or IAM)`;
  type Row = readonly [string, string];
  const runRows: Row[] = run ? [
    ['Started', run.startedAt],
    ['Duration', `${(run.durationMs / 1000).toFixed(1)} s at concurrency ${run.concurrency}`],
    ['Config', run.config],
    ['Config SHA-256', run.configSha256 || 'not recorded (config given in memory)'],
  ] : [['Run', 'not recorded in this report']];
  const rows: Row[] = [
    ...runRows,
    ['Assembly', report.assembly],
    ...run ? [['Assembly SHA-256', run.assemblySha256] as Row] : [],
    ['Read from', endpoint],
    ['Report schema', report.schema],
  ];
  return html`<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">${REPORT_SECTIONS.summary}</h2>
<p class="verdict ${ok ? 'ok' : 'bad'}">${verdict}</p>
<div class="counts">${STATUSES.map((s) => html`<div class="${s}"><b data-count="${s}">${report.summary[s]}</b>${s}</div>`)}</div>
<dl class="run">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${k.endsWith('SHA-256') ? html`<code>${v}</code>` : v}</dd>`)}</dl>
</section>`;
}

function matrixSection(report: VerifyReport, run: VerifyRun | undefined): Markup {
  const places = [...new Set(report.findings.map((f) => `${f.account}\u0000${f.region}`))]
    .map((k) => k.split('\u0000') as [string, string])
    .sort(([a1, r1], [a2, r2]) => accountLabel(a1, run).localeCompare(accountLabel(a2, run)) || r1.localeCompare(r2));
  const byCell = countBy(report.findings, (f) => `${f.control}\u0000${f.account}\u0000${f.region}`);
  const byControl = countBy(report.findings, (f) => f.control);
  const byPlace = countBy(report.findings, (f) => `${f.account}\u0000${f.region}`);
  return html`<section id="controls" aria-labelledby="controls-h"><h2 id="controls-h">${REPORT_SECTIONS.controls}</h2>
<p class="note">Each cell counts the control's facts read in that account and Region (✓ all pass, ✗ some drift or unreadable, – nothing to read there).</p>
<div class="scroll" tabindex="0" role="region" aria-label="Facts per control and account × Region"><table class="matrix"><caption class="note">Facts per control (rows) and account × Region (columns)</caption>
<thead><tr><th scope="col">control</th>${places.map(([a, r]) => html`<th scope="col">${run?.accountNames[a] ?? a}<br>${run?.accountNames[a] ? html`${a}<br>` : ''}${r}</th>`)}<th scope="col">all</th></tr></thead>
<tbody>${[...byControl.keys()].map((control) => html`<tr><th scope="row">${control.split(',').map((id, i) => html`${i > 0 ? ', ' : ''}<span class="id">${id}</span>`)}</th>${places.map(([a, r]) => statusCell(byCell.get(`${control}\u0000${a}\u0000${r}`)))}${statusCell(byControl.get(control))}</tr>`)}
<tr><th scope="row">all</th>${places.map(([a, r]) => statusCell(byPlace.get(`${a}\u0000${r}`)))}${statusCell(report.summary)}</tr></tbody></table></div>
</section>`;
}

function problemsSection(report: VerifyReport, run: VerifyRun | undefined): Markup {
  const problems = report.findings.filter((f) => f.status !== 'pass');
  return html`<section id="problems" aria-labelledby="problems-h"><h2 id="problems-h">${REPORT_SECTIONS.problems}</h2>
${problems.length === 0 ? html`<p>None: every fact was found as expected.</p>` : problems.map((f) => html`<article class="problem problem-${f.status}" data-status="${f.status}">
<h3><span class="${f.status}">${f.status}</span> · ${f.control} · ${accountLabel(f.account, run)} · ${f.region} · ${f.subject}</h3>
<p>call <code>${f.call}</code></p>
<div class="sides"><div><h4>expected</h4><pre tabindex="0">${json(f.expected)}</pre></div><div><h4>found</h4><pre tabindex="0">${json(f.found)}</pre></div></div>
</article>`)}
</section>`;
}

function findingsSection(report: VerifyReport, run: VerifyRun | undefined): Markup {
  return html`<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">${REPORT_SECTIONS.findings}</h2>
<form id="filter" hidden aria-label="Filter the findings">${STATUSES.map((s) => html`<label><input type="checkbox" value="${s}" checked> ${s}</label>`)}
<label>text <input type="search" aria-label="Show findings containing"></label><span id="filter-shown" aria-live="polite"></span></form>
<table><thead><tr><th scope="col">status</th><th scope="col">control</th><th scope="col">account</th><th scope="col">Region</th><th scope="col">subject</th><th scope="col">call</th><th scope="col">values</th></tr></thead>
<tbody>${report.findings.map((f) => html`<tr data-status="${f.status}"><td class="${f.status}">${f.status}</td><td>${f.control}</td><td>${accountLabel(f.account, run)}</td><td>${f.region}</td><td>${f.subject}</td><td><code>${f.call}</code></td>
<td><details><summary>${f.status === 'pass' ? 'expected = found' : 'expected, found'}</summary>${f.status === 'pass'
  ? html`<pre tabindex="0">${json(f.found)}</pre>`
  : html`<p>expected</p><pre tabindex="0">${json(f.expected)}</pre><p>found</p><pre tabindex="0">${json(f.found)}</pre>`}</details></td></tr>`)}</tbody></table>
</section>`;
}

function awsManagedSection(report: VerifyReport, run: VerifyRun | undefined): Markup {
  const observations = report.awsManaged ?? [];
  const hub = observations.filter((o): o is SecurityHubObservation => o.source === 'security-hub');
  const packs = observations.filter((o): o is ConformancePackObservation => o.source === 'config-conformance');
  const error = (e: { error: string; message: string }) => html`<td colspan="2" class="unreadable">unreadable: ${e.error}: ${e.message}</td>`;
  return html`<section id="aws-managed" aria-labelledby="aws-managed-h"><h2 id="aws-managed-h">${REPORT_SECTIONS['aws-managed']}</h2>
<p>What AWS's own checks found, beside this verification: the control findings of Security Hub CSPM's AI Security Best Practices standard and the
deployment of the governance conformance pack, per account and Region. They are AWS's findings about resources, not drift of this verifier; a standard
that is off or a pack that is missing is a DET-SH-1 or DET-CFG-1 drift above.</p>
${report.awsManaged === undefined ? html`<p>This run read none (the detective controls are off, or the facts predate them).</p>` : html`
<h3>Security Hub CSPM: AI Security Best Practices v1.0.0</h3>
${hub.length === 0 ? html`<p>No account had the standard enabled.</p>` : html`<table><thead><tr><th scope="col">account</th><th scope="col">Region</th><th scope="col">control findings by status</th><th scope="col">failed controls</th></tr></thead>
<tbody>${hub.map((o) => html`<tr><td>${accountLabel(o.account, run)}</td><td>${o.region}</td>${o.error ? error(o.error)
  : html`<td>${Object.entries(o.counts ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'no findings'}</td><td>${(o.failedControls ?? []).join(', ') || '–'}</td>`}</tr>`)}</tbody></table>`}
<h3>AWS Config: the governance conformance pack</h3>
${packs.length === 0 ? html`<p>No pack was read.</p>` : html`<table><thead><tr><th scope="col">administrator</th><th scope="col">Region</th><th scope="col">pack</th><th scope="col">status per account</th></tr></thead>
<tbody>${packs.map((o) => html`<tr><td>${accountLabel(o.account, run)}</td><td>${o.region}</td>${o.error ? error(o.error)
  : html`<td>${o.pack}</td><td>${(o.accounts ?? []).map((a) => `${accountLabel(a.account, run)}: ${a.status}`).join('; ') || 'no account'}</td>`}</tr>`)}</tbody></table>`}`}
</section>`;
}

function howVerifiedSection(report: VerifyReport): Markup {
  const byAction = countBy(report.findings, (f) => actionOf(f.call));
  const where = report.endpoint === null ? 'a live read of the deployed estate through AWS\'s endpoints' : `a live read of the emulator at ${report.endpoint}, not of AWS`;
  return html`<section id="how-verified" aria-labelledby="how-verified-h"><h2 id="how-verified-h">${REPORT_SECTIONS['how-verified']}</h2>
<p>Every finding of this report is ${where}, through the read-only verifier role of its account; a call that failed is <span class="unreadable">unreadable</span>, never pass.
How the repository tests the reader of each call: against the pinned moto server (the call is sent and its answer parsed; with an injected drift where a test changes what it finds),
or against a recorded AWS response where no emulator serves the call. An emulator shows what the verifier reads and reports, never what AWS enforces.</p>
<table><thead><tr><th scope="col">call</th><th scope="col">facts in this run</th><th scope="col">in this run</th><th scope="col">reader tested</th><th scope="col">test</th></tr></thead>
<tbody>${[...byAction.entries()].map(([action, c]) => {
  const proof = CHECK_PROOFS.find((p) => p.action === action);
  const tested = !proof ? 'no test of this call is recorded'
    : proof.proof === 'recorded-response' ? 'recorded-response contract (a response recorded from AWS, replayed)'
      : `live read on the emulator (moto)${proof.driftInjected ? ', drift injected' : ', clean read only'}`;
  return html`<tr><td><code>${action}</code></td><td class="n">${c.pass + c.drift + c.unreadable}</td>${statusCell(c)}<td>${tested}</td><td>${proof ? html`<code>${proof.test}</code>` : '–'}</td></tr>`;
})}</tbody></table>
<p>Only the calls above were made. What the verifier does not read yet (docs/verification.md, "Not read yet") is in no report and never counts as pass.</p>
</section>`;
}

/** The page for `report`; its `run` (run-verify) fills the summary's run details when present. */
export function renderHtml(report: VerifyReport & { readonly run?: VerifyRun }): string {
  const run = report.run;
  const { pass, drift, unreadable } = report.summary;
  const policy = `default-src 'none'; style-src ${sha256Source(STYLE)}; script-src ${sha256Source(SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verification report: ${pass} pass, ${drift} drift, ${unreadable} unreadable</title>
<style>${new Markup(STYLE)}</style></head>
<body><header><h1>Verification report</h1>
<nav aria-label="Sections"><p>${Object.entries(REPORT_SECTIONS).map(([id, title], i) => html`${i > 0 ? ' · ' : ''}<a href="#${id}">${title}</a>`)}</p></nav></header>
<main>
${summarySection(report, run)}
${problemsSection(report, run)}
${matrixSection(report, run)}
${findingsSection(report, run)}
${awsManagedSection(report, run)}
${howVerifiedSection(report)}
</main>
<script>${new Markup(SCRIPT)}</script>
</body></html>
`;
  return page.text;
}
