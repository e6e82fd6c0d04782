import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { estateEntries, stackIdOf } from '../../stacks/estate-table';
import { PROJECT_ROOT } from '../support/run-app';

/** The README's architecture diagram (its one mermaid block). */
function diagram(): string {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/** The id of each stack the CLI deploys as the diagram writes it: `GovernanceMacie-region` for one per Region. */
const deployedIds = estateEntries().filter(([, e]) => e.regions !== 'none').map(([, e]) => stackIdOf(e, 'region'));

describe('the README\'s architecture diagram names the estate table\'s stacks', () => {
  test('every stack the CLI deploys is drawn', () => {
    const text = diagram();
    expect(deployedIds.filter((id) => !new RegExp(`\\b${id}\\b`).test(text))).toEqual([]);
  });

  test('every stack id drawn is one of the estate table', () => {
    const drawn = [...diagram().matchAll(/\b(?:Governance|SupportChat)[A-Za-z]*(?:-region)?\b/g)].map((m) => m[0]);
    expect(drawn.filter((id) => !deployedIds.includes(id))).toEqual([]);
  });
});
