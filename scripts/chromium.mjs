// The Chromium that the browser tests and `bench:ui` drive: Debian's `chromium` package, never a
// browser downloaded by playwright (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1). `CHROMIUM` overrides the path.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Installs Debian's chromium when it is missing (needs root and apt); returns whether it is there. */
export function ensureChromium(log = (line) => console.error(line)) {
  if (existsSync(CHROMIUM)) return true;
  if (process.getuid?.() !== 0) {
    log(`chromium: ${CHROMIUM} is missing; install Debian's chromium package (apt-get install chromium) or set CHROMIUM`);
    return false;
  }
  log('chromium: installing Debian\'s chromium package');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-q'], ['install', '-y', '-q', 'chromium', 'fonts-dejavu-core']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      log(`chromium: apt-get ${args.join(' ')} failed (exit ${r.status})`);
      return false;
    }
  }
  return existsSync(CHROMIUM);
}
