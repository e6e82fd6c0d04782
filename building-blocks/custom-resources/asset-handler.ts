import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleHandler } from './inline-handler';

/** Where `handlerAssetDirectory` writes its bundles, one directory per content hash. */
const BUNDLE_ROOT = path.join(tmpdir(), 'genai-governance-handler-bundles');

/**
 * Writes the handler's bundle (`bundleHandler`) as `index.js` into a directory named by its content hash and returns
 * the directory, for `Code.fromAsset`: the asset hash is the content's, so it changes exactly when the code does. The
 * bundle runs in this process with esbuild (no Docker). The directory is written whole or not at all (a temporary
 * directory renamed into place), so parallel synths never fingerprint a half-written one.
 */
export function handlerAssetDirectory(entry: string): string {
  const code = bundleHandler(entry);
  const dir = path.join(BUNDLE_ROOT, createHash('sha256').update(code).digest('hex'));
  if (existsSync(path.join(dir, 'index.js'))) return dir;
  mkdirSync(BUNDLE_ROOT, { recursive: true });
  const partial = mkdtempSync(path.join(BUNDLE_ROOT, 'partial-'));
  writeFileSync(path.join(partial, 'index.js'), code);
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process renamed the same bundle into place first.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'index.js'))) throw error;
  }
  return dir;
}
