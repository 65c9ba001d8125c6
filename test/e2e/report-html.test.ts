/**
 * The HTML report opened in headless Chromium (Debian's chromium driven by playwright-core): what renders
 * (matrix cells, totals, chart bars), that no request leaves the page, and a screenshot for the README
 * (docs/report.png).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { main } from '../../cli/report';
import { type Fixture, NEW_RUN, sink, startFixture, TABLE } from '../support/cli-fixture';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'report.png');

let fx: Fixture;
let browser: BrowserContext;
let profile: string;
let cwd: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  fx = await startFixture();
  profile = await mkdtemp(join(tmpdir(), 'report-chromium-'));
  cwd = await mkdtemp(join(tmpdir(), 'report-cwd-'));
  // A new, empty user data dir: nothing from an earlier profile can make a request.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1100, height: 700 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  for (const d of [profile, cwd]) if (d) await rm(d, { recursive: true, force: true });
});

it('renders the matrix, the totals and the chart, and asks the network for nothing', async () => {
  // Prepare: the report of the fixture's new run, as a user would write it with --format html.
  const out = sink();
  const code = await main(['--run', NEW_RUN, '--format', 'html', '--table', TABLE], {
    stdout: out,
    stderr: sink(),
    env: { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint },
    cwd,
    now: () => new Date('2026-12-01T12:00:00Z'),
  });
  expect(code).toBe(0);
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));

  // Act
  await page.setContent(out.text(), { waitUntil: 'load' });

  // Assess: the cells as the reviewer reads them (rendered text, hence innerText).
  const cell = (person: string, column: number) =>
    // biome-ignore lint/performance/useDomNodeTextContent: the test checks what renders
    page.locator(`#matrix tbody tr[data-person="${person}"] td`).nth(column).innerText();
  const headers = await page.locator('#matrix thead th').allInnerTexts();
  expect(headers.slice(0, 6)).toEqual([
    'person',
    'Okta',
    'Slack (T1)',
    'Slack (T2)',
    'Zoom',
    '(no app named)',
  ]);
  expect(await cell('ana@example.com', 1)).toBe('has access (SUSPENDED)');
  expect(await cell('Bo@Example.com', 2)).toBe('no account');
  expect(await cell('dara@example.com', 2)).toBe('failed (RATE_LIMIT)');
  expect(await cell('+refused@example.com', 5)).toBe('refused (ValidationException)');
  // Totals per app (footer) and per person (last columns).
  const accessTotals = await page.locator('#matrix tfoot tr[data-kind="access"] td').allInnerTexts();
  expect(accessTotals.slice(0, 7)).toEqual(['total has access', '2', '2', '0', '1', '0', '5']);
  const anaAccess = page.locator(
    '#matrix tbody tr[data-person="ana@example.com"] td.total[data-kind="access"]',
  );
  expect(await anaAccess.allInnerTexts()).toEqual(['3']);
  // The chart: one bar segment per app and status, sized by its count.
  const bars = await page
    .locator('svg rect.bar')
    .evaluateAll((rects) =>
      rects.map((r) => [
        r.getAttribute('data-app'),
        r.getAttribute('data-kind'),
        Number(r.getAttribute('data-count')),
        r.getBoundingClientRect().width,
      ]),
    );
  expect(bars.filter(([app]) => app === 'Zoom').map(([, kind, n]) => [kind, n])).toEqual([
    ['access', 1],
    ['expired', 1],
    ['not-found', 1],
  ]);
  for (const [, , , width] of bars) expect(width).toBeGreaterThan(0);
  // Error text from the app is shown as text, not markup.
  expect(await page.locator('script').count()).toBe(0);
  expect(requests).toEqual([]);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await page.close();
});
