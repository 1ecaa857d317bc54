import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = 'chromium';

/** haveChromium tells whether Debian's chromium is installed; CI installs it and must not skip. */
export function haveChromium(): boolean {
  const found = spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('chromium is required in CI (apt-get install chromium)');
  if (!found) console.warn('chromium not found: skipping the browser test (apt-get install chromium)');
  return found;
}

/**
 * renderPage loads a page in headless Chromium and returns the DOM after scripts ran; with
 * `screenshot` it also writes a PNG. The flags keep Chromium off the network (this machine
 * has none) and away from the user's profile.
 */
export async function renderPage(url: string, screenshot?: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'tensorpix-chromium-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    `--user-data-dir=${profile}`,
  ];
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(CHROMIUM, [...flags, ...args], { timeout: 30_000, maxBuffer: 4 << 20 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
  try {
    const dom = await run(['--dump-dom', url]);
    if (screenshot) await run([`--screenshot=${screenshot}`, '--window-size=900,500', url]);
    return dom;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
