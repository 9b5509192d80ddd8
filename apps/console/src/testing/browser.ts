import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { workspaceRoot } from '@pos/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (tools/test.sh installs it): Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(workspaceRoot(), '.cache', 'console-screenshots');

export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, tablet: { width: 768, height: 1024 } } as const;

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });

/** A fresh browser profile (its own cookies) at a viewport, in the same locale and zone wherever the test runs. */
export const newContext = (browser: Browser, viewport: keyof typeof VIEWPORTS = 'desktop'): Promise<BrowserContext> =>
  browser.newContext({ viewport: VIEWPORTS[viewport], locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });

/** Signs in through the sign-in page, as a person does, and waits for the signed-in header. */
export const signIn = async (page: Page, base: string, token: string, path = 'day'): Promise<void> => {
  await page.goto(`${base}/console/${path}`);
  await page.getByLabel('Back-office token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
};

/** axe's serious and critical violations on the page as it is now (WCAG 2.1 A/AA rules and best practices). */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
};

/** A full-page screenshot as a test artefact: .cache/console-screenshots/<name>.png. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};
