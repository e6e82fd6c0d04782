import type { GovernanceConfig } from '../../config/schema';
import { organizationControls } from '../../policies/organization-controls';

/** Maps the Sid of a denying statement to its control id (Sids start with the control id without dashes). */
export class ControlIds {
  private readonly ids: string[];

  constructor(config: GovernanceConfig) {
    this.ids = [...new Set(organizationControls(config).map((c) => c.controlId))].sort((a, b) => b.length - a.length);
  }

  /** The control id of a Sid, or the Sid itself for a statement this tool did not write (`ImplicitlyDenied` for no allow). */
  public of(sid: string): string {
    return this.ids.find((c) => sid.startsWith(c.replace(/-/g, ''))) ?? sid;
  }

  /** The distinct control ids of denying Sids, sorted. */
  public ofAll(sids: readonly string[]): string[] {
    return [...new Set(sids.map((s) => this.of(s)))].sort();
  }
}
