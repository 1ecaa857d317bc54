// Records the git revision the build came from, for tensorpix_exporter_build_info.
const { execFileSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

let revision = process.env.TENSORPIX_EXPORTER_REVISION || 'unknown';
if (revision === 'unknown') {
  try {
    revision = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (e.g. a container build context): keep "unknown".
  }
}
writeFileSync(join(__dirname, '..', 'dist', 'build-info.json'), JSON.stringify({ revision }) + '\n');
