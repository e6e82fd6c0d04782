import type { ContentBlock, ConverseStreamOutput, Message, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseTool, ToolOutcome } from './converse-tool';

/*
 * The answer's tool rounds (Converse tool use, https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html):
 * the request carries `toolConfig.tools[].toolSpec`; a model that wants a tool ends its stream with
 * `messageStop.stopReason: "tool_use"` after a content block per call, opened by `contentBlockStart.start.toolUse`
 * (`toolUseId`, `name`) and filled by `contentBlockDelta.delta.toolUse.input`, pieces of a JSON text
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ContentBlockStartEvent.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolUseBlockDelta.html). The caller then appends the
 * assistant's message (its text and `toolUse` blocks, the input as a JSON object) and a user message of `toolResult`
 * blocks (`toolUseId`, `content: [{json}]`, `status`), and calls ConverseStream again with the same `toolConfig`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolResultBlock.html).
 *
 * The tool's caller is the turn's customer, never anything in the model's input. A round's calls run one after the
 * other; a malformed input (not JSON, too long) or an unknown tool gets an `error` result, never a throw, so the model can
 * correct itself within the round limit. Past `maxRounds` rounds of calls the answer fails (`ToolRoundsExceededError`).
 */

/** The tools a turn offers the model, and their limits (`workloads.supportChat.orders`). */
export interface TurnTools {
  readonly tools: readonly ConverseTool[];
  /** The most rounds of tool calls in one answer; a model asking for more fails the answer. */
  readonly maxRounds: number;
  /** Milliseconds one tool call may take. */
  readonly timeoutMs: number;
}

/** One tool call of an answer, as the conversation stores it. */
export interface ToolCallRecord {
  /** 0 for the first round of the answer. */
  readonly round: number;
  /** The call's place in its round. */
  readonly index: number;
  readonly toolUseId: string;
  readonly name: string;
  /** The input the model sent (its JSON text when it did not parse). */
  readonly input: unknown;
  readonly outcome: ToolOutcome;
}

/** The tools of one answer: the turn's tools, the customer they act for and where each call is recorded. */
export interface ToolRun extends TurnTools {
  /** The authenticated customer (`TurnRequest.sub`). */
  readonly sub: string;
  /** Stores a call and its result before the model sees the result. @default none */
  readonly onCall?: (call: ToolCallRecord) => Promise<void>;
}

/** The longest input text of one call the model may stream (characters). */
export const MAX_TOOL_INPUT_CHARACTERS = 16 * 1024;

/** A model that asked for tools past the round limit. Not retryable: another attempt would loop the same way. */
export class ToolRoundsExceededError extends Error {
  constructor(readonly maxRounds: number) {
    super(`the model asked for tools after ${maxRounds} rounds`);
    this.name = 'ToolRoundsExceededError';
  }
}

interface PendingUse {
  readonly toolUseId: string;
  readonly name: string;
  input: string;
}

/** The tool rounds of one answer attempt: what the model asked for in the current round and the messages they add. */
export class ToolRounds {
  /** The request's `toolConfig`. */
  public readonly toolConfig: ToolConfiguration;
  private round = 0;
  private uses = new Map<number, PendingUse>();
  private text = '';
  private textBefore = false;

  constructor(private readonly run: ToolRun) {
    if (!Number.isInteger(run.maxRounds) || run.maxRounds < 1) throw new Error(`maxRounds must be a whole number of at least 1, not ${run.maxRounds}`);
    const names = run.tools.map((t) => t.spec.name);
    if (new Set(names).size !== names.length) throw new Error(`tool names must be unique: ${names.join(', ')}`);
    this.toolConfig = { tools: run.tools.map((t) => ({ toolSpec: t.spec })) };
  }

  /** Reads one stream event: the round's text and its tool-use blocks. */
  public observe(event: ConverseStreamOutput): void {
    const start = event.contentBlockStart;
    const use = start?.start?.toolUse;
    if (start && use) this.uses.set(start.contentBlockIndex ?? this.uses.size, { toolUseId: use.toolUseId ?? '', name: use.name ?? '', input: '' });
    const delta = event.contentBlockDelta;
    if (delta?.delta?.toolUse) {
      const pending = this.uses.get(delta.contentBlockIndex ?? -1);
      // Past the cap the input no longer parses: the call gets a bad-input result.
      if (pending && pending.input.length <= MAX_TOOL_INPUT_CHARACTERS) pending.input += delta.delta.toolUse.input ?? '';
    }
    if (delta?.delta?.text) this.text += delta.delta.text;
  }

  /** A text delta as the client gets it: the first of a round after a round with text starts on a new paragraph. */
  public spaced(delta: string): string {
    if (this.textBefore && this.text.length === delta.length) return `\n\n${delta}`;
    return delta;
  }

  /**
   * Runs the round's calls for the customer (each within `timeoutMs` and `signal`), records each, and returns the two
   * messages to append: the assistant's (its text and `toolUse` blocks) and the user's `toolResult` blocks. Throws
   * `ToolRoundsExceededError` past the limit, and for a `tool_use` stop without any tool-use block.
   */
  public async answer(signal: AbortSignal): Promise<Message[]> {
    if (this.round >= this.run.maxRounds) throw new ToolRoundsExceededError(this.run.maxRounds);
    const uses = [...this.uses.entries()].sort(([a], [b]) => a - b).map(([, use]) => use);
    if (uses.length === 0) throw Object.assign(new Error('the model stopped for tool use without a tool-use block'), { name: 'ModelStreamErrorException' });
    const assistant: ContentBlock[] = this.text.length > 0 ? [{ text: this.text }] : [];
    const results: ContentBlock[] = [];
    for (const [index, use] of uses.entries()) {
      const parsed = parseInput(use.input);
      const tool = this.run.tools.find((t) => t.spec.name === use.name);
      const outcome: ToolOutcome = !tool
        ? { status: 'error', json: { error: 'unknown_tool', message: `there is no tool named ${JSON.stringify(use.name.slice(0, 64))}` } }
        : !parsed.ok
          ? { status: 'error', json: { error: 'bad_input', message: 'the tool input is not a JSON object' } }
          : await tool.run(parsed.value, { sub: this.run.sub, signal, timeoutMs: this.run.timeoutMs });
      const input = parsed.ok ? parsed.value : use.input;
      await this.run.onCall?.({ round: this.round, index, toolUseId: use.toolUseId, name: use.name, input, outcome });
      assistant.push({ toolUse: { toolUseId: use.toolUseId, name: use.name, input: parsed.ok ? parsed.value as never : {} } });
      results.push({ toolResult: { toolUseId: use.toolUseId, content: [{ json: outcome.json as never }], status: outcome.status } });
    }
    this.round++;
    this.textBefore ||= this.text.length > 0;
    this.uses = new Map();
    this.text = '';
    return [{ role: 'assistant', content: assistant }, { role: 'user', content: results }];
  }
}

function parseInput(text: string): { ok: true; value: Record<string, unknown> } | { ok: false } {
  if (text.length > MAX_TOOL_INPUT_CHARACTERS) return { ok: false };
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false };
  }
}
