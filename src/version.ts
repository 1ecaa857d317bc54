import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

// Both src/ (tests) and dist/ (the build) sit one level below package.json.
const pkg = readJson(join(__dirname, '..', 'package.json'));
// scripts/write-build-info.js writes the git revision beside the compiled files.
const build = readJson(join(__dirname, 'build-info.json'));

/** VERSION is the package version, REVISION the git commit it was built from. */
export const VERSION = typeof pkg?.version === 'string' ? pkg.version : 'unknown';
export const REVISION = typeof build?.revision === 'string' ? build.revision : 'unknown';
