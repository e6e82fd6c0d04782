import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Builds the DynamoDB emulator (this folder's Go module: minidyn's HTTP server, one minidyn per partition key) with the
 * machine's `go`, once per source: the binary lands in node_modules/.cache/dynamodb-emulator/<hash of the sources>/,
 * which git ignores. `go` fetches the pinned module (go.mod, go.sum) from the Go module proxy on the first build.
 */

const SOURCE_DIR = __dirname;
const SOURCES = ['go.mod', 'go.sum', 'main.go', 'partitions.go', 'scan.go'];
const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'dynamodb-emulator');

/** The hash of the emulator's sources: a changed source builds a new binary. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(file).update('\0').update(readFileSync(path.join(SOURCE_DIR, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The binary for the current sources, built first if missing (a build by another process meanwhile is fine: rename is atomic). */
export function buildDynamoDbEmulator(): string {
  const binary = path.join(CACHE, sourceHash(), 'dynamodb-emulator');
  if (existsSync(binary)) return binary;
  mkdirSync(path.dirname(binary), { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  try {
    execFileSync('go', ['build', '-trimpath', '-buildvcs=false', '-mod=readonly', '-o', partial, '.'], {
      cwd: SOURCE_DIR,
      // The go.mod's toolchain line is met by the machine's go: never download another toolchain.
      env: { ...process.env, GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    throw new Error(`building the DynamoDB emulator (emulators/dynamodb, Go) failed: is go 1.26 on the PATH? ${error instanceof Error ? error.message : String(error)}`);
  }
  renameSync(partial, binary);
  return binary;
}

if (require.main === module) {
  console.log(`dynamodb-emulator: ${path.relative(process.cwd(), buildDynamoDbEmulator())}`);
}
