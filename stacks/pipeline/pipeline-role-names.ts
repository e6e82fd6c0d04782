/**
 * The names of the pipeline's step roles that other accounts' roles trust by ARN, in the deployment account. Not
 * `genai-governance-` names: ORG-TAMPER-BASELINE would keep the deployment account's CDK execution role from creating
 * them. This module imports nothing, so the stacks that trust these roles can import it without a cycle.
 */

/** The post-deploy verification step's role: the audit account's operator role (`genai-governance-verify-operator`) trusts it. */
export const VERIFY_STEP_ROLE_NAME = 'governance-pipeline-verify';
