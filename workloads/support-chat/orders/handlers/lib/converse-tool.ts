import type { ToolSpecification } from '@aws-sdk/client-bedrock-runtime';

/*
 * A tool the answer model may call through Converse tool use (`toolConfig`): the order look-up is the first. The turn
 * passes the model's `toolUse` input and the authenticated customer; the tool answers for that customer only.
 */

/** Who is asking: the customer the authorizer verified, never an id the model or the message supplies. */
export interface ToolCaller {
  /** The Cognito `sub` of the authenticated customer. */
  readonly sub: string;
  /** Aborted when the turn gives up. */
  readonly signal?: AbortSignal;
  /** Milliseconds the tool may take. */
  readonly timeoutMs: number;
}

/** What a tool returns to the model (a `toolResult` block) and what the conversation stores of it. */
export interface ToolOutcome {
  /** `error` results tell the model the call failed (Converse's `toolResult.status`), with a reason it may pass on. */
  readonly status: 'success' | 'error';
  /** The JSON the model receives: only the calling customer's data. */
  readonly json: Record<string, unknown>;
}

/** One tool the model may use. */
export interface ConverseTool {
  /** The tool's name, description and JSON Schema input, as Converse's `toolConfig.tools[].toolSpec`. */
  readonly spec: ToolSpecification;
  /** Runs the tool for the caller. Resolves with an `error` outcome for a bad input or a failed call; never rejects. */
  run(input: unknown, caller: ToolCaller): Promise<ToolOutcome>;
}
