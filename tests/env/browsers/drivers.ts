/**
 * Drives the Debian browsers of the parity test to a page and collects what it publishes in
 * `globalThis.__parity` ({ done, lines }): headless Chromium and Firefox ESR through puppeteer-core
 * (CDP and WebDriver BiDi, using the system binaries — nothing is downloaded), and the WebKitGTK
 * MiniBrowser (JavaScriptCore, the engine of iOS webviews) through WebKitWebDriver under Xvfb with
 * plain W3C WebDriver requests. Every step is time-bounded and everything started is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';

/** What a page published. */
export interface PageResult {
  lines: string[];
  isolated: boolean;
  /** Console output of the page (for failure messages). */
  console: string[];
}

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms))),
  ]);
}

async function viaPuppeteer(launch: () => Promise<Browser>, url: string, ms: number, name: string): Promise<PageResult> {
  const browser = await deadline(launch(), 60_000, `starting ${name}`);
  const log: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
    await deadline(page.goto(url), 60_000, `${name} loading ${url}`);
    await deadline(page.waitForFunction('globalThis.__parity && globalThis.__parity.done === true', { timeout: ms, polling: 250 }), ms + 5000,
      `${name} running the page`).catch((e: Error) => {
      throw new Error(`${e.message}; console: ${log.slice(-10).join(' | ') || '(empty)'}`);
    });
    const r = (await page.evaluate('({ lines: globalThis.__parity.lines, isolated: globalThis.__parity.isolated })')) as PageResult;
    return { ...r, console: log };
  } finally {
    await deadline(browser.close(), 20_000, `closing ${name}`).catch(() => browser.process()?.kill('SIGKILL'));
  }
}

/** Headless Chromium (Debian package chromium). */
export function runChromium(url: string, ms: number): Promise<PageResult> {
  return viaPuppeteer(() => puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS }), url, ms, 'chromium');
}

/** Headless Firefox ESR (Debian package firefox-esr) over WebDriver BiDi; outside lookups pointed at loopback. */
export function runFirefox(url: string, ms: number): Promise<PageResult> {
  return viaPuppeteer(() => puppeteer.launch({
    browser: 'firefox', protocol: 'webDriverBiDi', executablePath: '/usr/bin/firefox-esr', headless: true,
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    extraPrefsFirefox: {
      'services.settings.server': 'http://127.0.0.1:9/',
      'network.captive-portal-service.enabled': false,
      'app.update.enabled': false,
      'browser.safebrowsing.update.enabled': false,
    },
  }), url, ms, 'firefox');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      resolve();
    }, 5000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  for (let n = 90; n < 140; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const proc = spawn('/usr/bin/Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(true), 1000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (ok) return { display: `:${n}`, proc };
  }
  throw new Error('could not start Xvfb on displays :90-:139');
}

async function wd(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { value: unknown };
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value).slice(0, 300)}`);
  return json.value;
}

/** The WebKitGTK MiniBrowser through WebKitWebDriver under Xvfb (JSC_useSharedArrayBuffer=1). */
export async function runWebKit(url: string, ms: number): Promise<PageResult> {
  let xvfb: { display: string; proc: ChildProcess } | undefined;
  let driver: ChildProcess | undefined;
  let base = '';
  let session: string | undefined;
  try {
    xvfb = await startXvfb();
    const port = await freePort();
    driver = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
      stdio: 'ignore', env: { ...process.env, DISPLAY: xvfb.display, JSC_useSharedArrayBuffer: '1', WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
    });
    base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    for (;;) {
      try {
        await wd(base, 'GET', '/status');
        break;
      } catch (e) {
        if (Date.now() - started > 20_000) throw new Error(`WebKitWebDriver did not start: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const s = (await deadline(wd(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
    }), 60_000, 'starting MiniBrowser')) as { sessionId: string };
    session = s.sessionId;
    await deadline(wd(base, 'POST', `/session/${session}/url`, { url }), 60_000, `webkit loading ${url}`);
    const until = Date.now() + ms;
    for (;;) {
      const v = (await wd(base, 'POST', `/session/${session}/execute/sync`, {
        script: 'const p = globalThis.__parity; return p && p.done ? { lines: p.lines, isolated: p.isolated } : null;', args: [],
      })) as { lines: string[]; isolated: boolean } | null;
      if (v) return { ...v, console: [] };
      if (Date.now() > until) throw new Error(`webkit running the page: no answer within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    if (session) await deadline(wd(base, 'DELETE', `/session/${session}`), 10_000, 'closing MiniBrowser').catch(() => {});
    await stop(driver);
    await stop(xvfb?.proc);
  }
}
