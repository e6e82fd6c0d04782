import * as path from 'node:path';

/** The repository's root: the working directory of the bench's child processes. */
export const ROOT = path.join(__dirname, '..', '..', '..');
/** The child processes run TypeScript through ts-node, like the bench. */
export const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
export const CHILD_ENV = { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
