import { buildSync } from 'esbuild';

/** CloudFormation quota: `Code.ZipFile` source for Node.js and Python functions, in bytes. */
export const INLINE_CODE_MAX_BYTES = 4096;

/**
 * Bundles a TypeScript Lambda handler into one minified CommonJS file for `Code.ZipFile` (written as `index.js`, so
 * the handler is `index.handler`). `@aws-sdk/*` stays external: the Lambda Node.js runtime provides SDK v3. Inline
 * code is what lets a member template of a service-managed StackSet carry its handler to every account and Region
 * without an asset bucket. Throws when the bundle exceeds the 4,096-byte quota.
 */
export function inlineHandlerCode(entry: string): string {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > INLINE_CODE_MAX_BYTES) {
    throw new Error(`${entry}: the bundled handler is ${bytes} bytes; inline Lambda code (ZipFile) accepts at most ${INLINE_CODE_MAX_BYTES}`);
  }
  return code;
}
