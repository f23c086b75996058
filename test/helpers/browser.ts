/**
 * Debian's Chromium driven by playwright-core, for the dashboard's end-to-end test: launched
 * headless with a fresh profile and no background networking, every request the page makes
 * recorded (none may leave Inlet's origin), and axe-core run inside the page. `chromiumPath()` is
 * undefined when the machine has no Chromium (the test then skips, or fails under CI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'

export function chromiumPath(): string | undefined {
  return existsSync(CHROMIUM) ? CHROMIUM : undefined
}

/** Chromium on a fresh profile directory (removed when the test ends), as one browser context. */
export async function launchChromium(
  t: TestContext,
  viewport: Readonly<{ width: number; height: number }>,
): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'inlet-chromium-'))
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.after(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  return browser
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: number }

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: not an inline script, so the page's CSP allows it.
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    type Axe = {
      run(): Promise<{
        violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[]
      }>
    }
    const axe = (globalThis as unknown as { axe: Axe }).axe
    const result = await axe.run()
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
