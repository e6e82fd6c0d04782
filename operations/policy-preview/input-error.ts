/**
 * A file given to the preview or the snapshot that cannot be used: the message names the file and where in it (a JSON
 * path such as `$.policies[2].content`, a record index, a byte position). The commands print it and exit 1 before
 * writing anything.
 */
export class InputError extends Error {
  constructor(public readonly file: string, public readonly where: string, problem: string) {
    super(`${file}: ${where}: ${problem}`);
    this.name = 'InputError';
  }
}

/** A JSON path for messages: `$`, `$.policies[2].content`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${String(k)}`), '$');
}

/** Parses JSON text, or throws an `InputError` naming the file and the position JSON.parse reports. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    throw new InputError(file, position !== undefined ? `character ${position}` : '$', `not valid JSON (${message})`);
  }
}
