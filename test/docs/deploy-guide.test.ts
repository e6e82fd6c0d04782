import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { deployGuideSections, withGeneratedSections, DEPLOY_GUIDE_FILE } from '../../stacks/deploy-guide';
import { deployWaves, plannedStacks, type PlannedStack } from '../../stacks/deploy-plan';
import { ESTATE_TABLE } from '../../stacks/estate-table';
import { deployGuide } from '../../stacks/write-deploy-guide';
import { exampleConfig } from '../support/example-config';
import { exampleEstate } from '../support/example-estate';
import { PROJECT_ROOT } from '../support/run-app';

describe('the deploy guide is derived from the estate table', () => {
  const config = exampleConfig();
  const plan = plannedStacks(config);

  test('docs/deploying.md has the generated sections of the estate table (run `npx projen docs:deploying` when this fails)', () => {
    const checkedIn = readFileSync(path.join(PROJECT_ROOT, DEPLOY_GUIDE_FILE), 'utf8');
    expect(checkedIn).toBe(deployGuide(checkedIn, config));
  });

  test('the planned stacks are the example\'s synthesized stacks, in the same account and Region, with the same dependencies', () => {
    const estate = exampleEstate();
    const synthesized = estate.assembly.stacks;
    expect(plan.map((s) => s.id).sort()).toEqual(synthesized.map((s) => s.stackName).sort());
    for (const stack of plan) {
      const artifact = estate.assembly.getStackArtifact(stack.id);
      expect({ id: stack.id, account: artifact.environment.account, region: artifact.environment.region })
        .toEqual({ id: stack.id, account: stack.accountId, region: stack.region });
      const dependencies = artifact.dependencies.filter((d) => synthesized.some((s) => s.id === d.id)).map((d) => d.id);
      expect({ id: stack.id, after: dependencies.sort() }).toEqual({ id: stack.id, after: stack.after.map((a) => a.id).sort() });
    }
    expect(plan.find((s) => s.id === 'SupportChat-eu-central-1')?.after.map((a) => a.id)).toEqual(['GovernanceBaselineStackSets', 'SupportChatEdge']);
  });

  test('an entry says what its stacks put in the asset bucket exactly when a synthesized stack of it has an asset besides its template', () => {
    const estate = exampleEstate();
    const assetsOf = (id: string) => estate.assembly.getStackArtifact(id).dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact)
      .flatMap((m) => Object.values((JSON.parse(readFileSync(m.file, 'utf8')) as { files?: Record<string, { source: { path?: string } }> }).files ?? {}))
      .filter((f) => !f.source.path?.endsWith('.template.json'));
    const byKey = new Map<string, boolean>();
    for (const s of plan) byKey.set(s.key, (byKey.get(s.key) ?? false) || assetsOf(s.id).length > 0);
    for (const [key, hasAssets] of byKey) {
      const declared = (ESTATE_TABLE[key as keyof typeof ESTATE_TABLE] as { assets?: string }).assets;
      expect({ key, declared: declared !== undefined }).toEqual({ key, declared: hasAssets });
    }
    expect([...byKey.values()].filter(Boolean).length).toBeGreaterThan(2);
  });

  test('the waves are a topological sort: every stack deploys in a later wave than each stack it depends on, and as early as it can', () => {
    const waves = deployWaves(plan);
    const waveOf = new Map(waves.flatMap((w, i) => w.map((s) => [s.id, i] as const)));
    expect(waves.flat()).toHaveLength(plan.length);
    for (const s of plan) {
      for (const a of s.after) expect(waveOf.get(s.id)!).toBeGreaterThan(waveOf.get(a.id)!);
      expect(waveOf.get(s.id)).toBe(s.after.length === 0 ? 0 : Math.max(...s.after.map((a) => waveOf.get(a.id)!)) + 1);
    }
    expect(waves.map((w) => w.map((s) => s.id))).toEqual([
      expect.arrayContaining(['GovernanceLogArchive', 'GovernanceManagement', 'GovernanceAuditAlerts', 'GovernanceObservability-eu-central-1']),
      expect.arrayContaining(['GovernanceOrganizationTrail', 'GovernanceAuditAnalytics', 'GovernanceMacie-eu-west-1', 'GovernanceBaselineStackSets']),
      // The detective controls evaluate with the recorders the member baseline creates; the tenant lives inside the baseline.
      expect.arrayContaining(['SupportChat-eu-central-1', 'GovernanceDetective-eu-central-1', 'GovernanceDetective-eu-west-1']),
    ]);
  });

  test('a dependency cycle, or a dependency on a stack that is not deployed, fails with the stacks named', () => {
    const stack = (id: string, after: string[]): PlannedStack => ({ ...plan[0], id, after: after.map((a) => ({ id: a, reason: 'test' })) });
    expect(() => deployWaves([stack('A', ['B']), stack('B', ['C']), stack('C', ['A'])])).toThrow('The estate\'s dependencies form a cycle: A → B → C → A');
    expect(() => deployWaves([stack('A', ['Z'])])).toThrow('A deploys after Z, which is not deployed with this config');
  });

  test('without the tenant and with account enforcement, the plan has no tenant or guardrail stacks, and the guide says how to deploy the rest', () => {
    const reduced = structuredClone(config);
    reduced.workloads = { ...reduced.workloads, supportChat: undefined };
    reduced.bedrock.guardrail.enforcement = 'account';
    const ids = plannedStacks(reduced).map((s) => s.id);
    expect(ids.filter((id) => id.startsWith('SupportChat-') || id.startsWith('GovernanceGuardrail-'))).toEqual([]);
    const sections = deployGuideSections(reduced, 'org.yaml');
    expect(sections.deploy).not.toContain('SupportChat-');
    expect(sections.bootstrap).not.toContain('support-chat-prod');
    expect(deployWaves(plannedStacks(reduced)).map((w) => w.map((s) => s.id))).toEqual([
      expect.anything(), expect.anything(), ['GovernanceDetective-eu-central-1', 'GovernanceDetective-eu-west-1'],
    ]);
  });

  test('a page without a section\'s markers is refused, naming the section', () => {
    expect(() => withGeneratedSections('# Deploying\n', { stacks: 'x' })).toThrow(/no section "stacks"/);
  });
});
