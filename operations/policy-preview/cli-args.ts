import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A command line that cannot be used: printed with the usage, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The parsed flags: each flag's values in order, and whether `--help` was given. */
export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string[]>;
  readonly help: boolean;
}

/**
 * Parses `--flag value` and `--flag=value` for the flags `known` lists (`-c key=value` too, when `-c` is listed), skipping
 * a bare `--` (projen passes it on);
 * anything else (an unknown flag, a flag without its value, a stray word) is a `UsageError`.
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    // `npx projen <task> -- …` hands the separator on to the command.
    if (word === '--') continue;
    if (word === '--help' || word === '-h') {
      help = true;
      continue;
    }
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (!known.includes(flag)) throw new UsageError(word.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${word}"`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  return { values, help };
}

/** The one value of a flag, or `undefined`; given twice is a `UsageError`. */
export function single(args: ParsedArgs, flag: string): string | undefined {
  const v = args.values.get(flag);
  if (v && v.length > 1) throw new UsageError(`${flag} given ${v.length} times`);
  return v?.[0];
}

/** Writes a file whole or not at all: a temporary file next to it, then a rename. */
export function writeFileAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
