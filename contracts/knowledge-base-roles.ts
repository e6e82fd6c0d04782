/**
 * Cross-account contract: the IAM path of the service roles Bedrock Knowledge Bases assume in workload accounts. BR-CRI-1
 * and the workload boundary (BL-IAM-1) let only roles on this path invoke the approved embedding models directly (an
 * embedding model has no inference profile; docs/adr/0020-knowledge-base-embeddings-outside-cri.md), so a workload's
 * knowledge-base role must be created on it and no other role may be.
 */

/** The IAM path (`/<name>/`) of every knowledge-base service role. */
export const KNOWLEDGE_BASE_ROLE_PATH = '/bedrock-knowledge-base/';

/** The ARN pattern of those roles in any account, for `aws:PrincipalArn` (a role's ARN carries its path). */
export const KNOWLEDGE_BASE_ROLE_ARN_PATTERN = `arn:aws:iam::*:role${KNOWLEDGE_BASE_ROLE_PATH}*`;
