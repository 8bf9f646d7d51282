/**
 * Debian packages a browser test needs: installed with apt-get when missing (as root), or a clear
 * error naming what to install. The same list is in .ci/run's apt_packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The browsers and display server of the parity test, and a file each one provides. */
export const BROWSER_PACKAGES: Record<string, string> = {
  chromium: '/usr/bin/chromium',
  'firefox-esr': '/usr/bin/firefox-esr',
  'webkit2gtk-driver': '/usr/bin/WebKitWebDriver',
  xvfb: '/usr/bin/Xvfb',
};

/** Installs the packages whose file is missing; throws with the apt-get command when that is not possible. */
export function ensureDebianPackages(packages: Record<string, string> = BROWSER_PACKAGES): void {
  const missing = Object.entries(packages).filter(([, file]) => !existsSync(file)).map(([p]) => p);
  if (missing.length === 0) return;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing Debian package(s) ${missing.join(', ')}: run \`${cmd}\` (as root)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
  let r = run(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (r.status !== 0) {
    run(['update', '-qq']);
    r = run(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
  const still = Object.entries(packages).filter(([, file]) => !existsSync(file)).map(([p]) => p);
  if (r.status !== 0 || still.length > 0) {
    throw new Error(`\`${cmd}\` failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
  }
}
