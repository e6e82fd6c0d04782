import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readAssembly, resourcesOf } from '../../operations/verify/assembly';
import { REPORT_SCHEMA, summarize, type Finding } from '../../operations/verify/finding';
import { renderHtml } from '../../operations/verify/render-html';
import { exampleConfig } from '../support/example-config';
import { exampleAssemblyDirectory } from '../support/example-estate';

/*
 * The auditor guide's audit questions each point to where the answer is: a saved query (an Athena named query of the
 * synthesized example organization), a dashboard (a CloudWatch dashboard it synthesizes, `<region>` standing for
 * each governed Region) or a section of the verification report (an anchor of the HTML page).
 */

const GUIDE = readFileSync(path.join(__dirname, '..', '..', 'docs', 'auditor-guide.md'), 'utf8');

interface Pointer { readonly kind: string; readonly target: string }

function questions(): { question: string; pointers: Pointer[] }[] {
  const lines = GUIDE.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| audit question | where the answer is |'));
  expect(header).toBeGreaterThan(-1);
  const rows = lines.slice(header + 2);
  return rows.slice(0, rows.findIndex((l) => !l.startsWith('|'))).map((row) => {
    const [question, answer] = row.split(' | ');
    return {
      question: question.replace(/^\| /, ''),
      pointers: [...answer.matchAll(/(saved query|dashboard|report sections?) ((?:`[^`]+`(?:, | and )?)+)/g)]
        .flatMap((m) => [...m[2].matchAll(/`([^`]+)`/g)].map((t) => ({ kind: m[1].replace(/^report sections?$/, 'report section'), target: t[1] }))),
    };
  });
}

test('the twelve audit questions each point to at least one query, dashboard or report section, and every pointer resolves', () => {
  const rows = questions();
  expect(rows).toHaveLength(12);
  expect(rows.filter((r) => r.pointers.length === 0).map((r) => r.question)).toEqual([]);

  const assembly = readAssembly(exampleAssemblyDirectory());
  const resources = (type: string) => assembly.stacks.flatMap((s) => resourcesOf(s.template, type));
  const queries = new Set(resources('AWS::Athena::NamedQuery').map(([, p]) => String(p.Name)));
  const dashboards = new Set(resources('AWS::CloudWatch::Dashboard').map(([, p]) => String(p.DashboardName)));
  const finding: Finding = {
    control: 'CT-1', account: '318274650913', region: 'eu-central-1', status: 'drift', subject: 'trail', expected: 1, found: 2, call: 'cloudtrail:GetTrail trail',
  };
  const page = renderHtml({ schema: REPORT_SCHEMA, assembly: 'cdk.out', endpoint: null, summary: summarize([finding]), findings: [finding] });
  const regions = exampleConfig().organization.governedRegions;

  const unresolved = rows.flatMap(({ question, pointers }) => pointers.filter(({ kind, target }) => {
    if (kind === 'saved query') return !queries.has(target);
    if (kind === 'dashboard') return !target.includes('<region>') || regions.some((r) => !dashboards.has(target.replace('<region>', r)));
    return !/^#[\w-]+$/.test(target) || !page.includes(`<section id="${target.slice(1)}"`);
  }).map((p) => `${question}: ${p.kind} ${p.target}`));
  expect(unresolved).toEqual([]);
  // Every saved query answers a question of the table.
  // Every query saved for the auditors is pointed to (a tenant's own queries, e.g. the support manager's, are not theirs).
  const auditorQueries = assembly.stacks.filter((st) => !st.stackName.startsWith('SupportChat-'))
    .flatMap((st) => resourcesOf(st.template, 'AWS::Athena::NamedQuery')).map(([, p]) => String(p.Name));
  expect(auditorQueries.length).toBeGreaterThan(0);
  expect(auditorQueries.filter((q) => !rows.some((r) => r.pointers.some((p) => p.kind === 'saved query' && p.target === q)))).toEqual([]);
});
