import type { Assembly } from './assembly';
import type { Fact } from './fact';
import { alarmFacts } from './facts-alarms';
import { analyticsFacts } from './facts-analytics';
import { archiveFacts } from './facts-archive';
import { contractFacts } from './facts-contract';
import { detectiveFacts } from './facts-detective';
import { guardrailFacts } from './facts-guardrail';
import { invocationLoggingFacts } from './facts-invocation-logging';
import { lakeFormationFacts } from './facts-lake-formation';
import { macieFacts } from './facts-macie';
import { organizationFacts } from './facts-organizations';
import { trailFacts } from './facts-trail';
import type { GovernanceConfig } from '../../config/schema';

/** Every fact the verifier checks, computed from the assembly and the config that synthesized it. */
export function expectedFacts(assembly: Assembly, config: GovernanceConfig): Fact[] {
  return [
    ...organizationFacts(assembly, config),
    ...trailFacts(assembly),
    ...archiveFacts(assembly),
    ...alarmFacts(assembly, config),
    ...contractFacts(assembly, config),
    ...analyticsFacts(assembly),
    ...lakeFormationFacts(assembly),
    ...invocationLoggingFacts(assembly, config),
    ...macieFacts(assembly),
    ...guardrailFacts(assembly),
    ...detectiveFacts(assembly, config),
  ];
}
