import { buildSync } from 'esbuild';

/** CloudFormation quota: `Code.ZipFile` source for Node.js and Python functions, in bytes. */
export const INLINE_CODE_MAX_BYTES = 4096;
/**
 * The most inline code this app writes: 80 % of the quota (3,276 bytes), so a handler change never meets the quota
 * itself. A handler that needs more leaves the inline path (`codeDelivery: 'asset'`), which member templates cannot.
 */
export const INLINE_CODE_BUDGET_BYTES = Math.floor(INLINE_CODE_MAX_BYTES * 0.8);

/**
 * Bundles a TypeScript Lambda handler into one minified CommonJS file (shipped as `index.js`, so the handler is
 * `index.handler`). `@aws-sdk/*` stays external: the Lambda Node.js runtime provides SDK v3. The same bundle ships
 * either way a `CustomResourceFunction` carries its code (inline `ZipFile` or a Lambda code asset), and the handler
 * tests run it.
 */
export function bundleHandler(entry: string): string {
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
  return result.outputFiles[0].text;
}

/**
 * A TypeScript Lambda handler's bundle (`bundleHandler`) for `Code.ZipFile` (CloudFormation writes it as `index.js`, so
 * the handler is `index.handler`). Inline code is what lets a member
 * template of a service-managed StackSet carry its handler to every account and Region without an asset bucket.
 * Throws when the bundle leaves less than 20 % headroom under the 4,096-byte quota (above 3,276 bytes).
 */
export function inlineHandlerCode(entry: string): string {
  const code = bundleHandler(entry);
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > INLINE_CODE_BUDGET_BYTES) {
    throw new Error(`${entry}: the bundled handler is ${bytes} bytes; inline Lambda code (ZipFile) accepts at most ${INLINE_CODE_MAX_BYTES} `
      + `and this app keeps 20 % headroom (at most ${INLINE_CODE_BUDGET_BYTES}): shrink the handler, or ship it as a code asset `
      + '(codeDelivery: \'asset\') if its stack is deployed with the CDK toolkit into a bootstrapped account');
  }
  return code;
}
