import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * renderPage loads a page in headless Chromium (the binary at `chromium`, as testWithTool
 * found it) and returns the DOM after scripts ran; with
 * `screenshot` it also writes a PNG. The flags keep Chromium off the network (this machine
 * has none) and away from the user's profile.
 */
export async function renderPage(chromium: string, url: string, screenshot?: string): Promise<string> {
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
      execFile(chromium, [...flags, ...args], { timeout: 30_000, maxBuffer: 4 << 20 }, (error, stdout) =>
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
