/* What a scripted model's tool use is made of (`BedrockBehaviour.toolUse`; answered by `bedrock-tool-use.ts`). */

/** One call a scripted model makes. */
export interface BedrockToolCall {
  /** @default a fresh `tooluse_…` id */
  readonly toolUseId?: string;
  readonly name: string;
  /** The input, sent as its JSON text. @default {} */
  readonly input?: unknown;
  /** The input's text exactly as sent (malformed JSON, for a fault); wins over `input`. @default none */
  readonly rawInput?: string;
}

/** A scripted tool-use turn: text first (optional), then the calls. */
export interface BedrockToolUse {
  /** Text the model says before its calls ("Let me check."). @default none */
  readonly text?: string;
  readonly calls: readonly BedrockToolCall[];
}
