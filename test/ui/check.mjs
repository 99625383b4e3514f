// check.mjs opens the Temporal Web UI in headless Chromium and checks that the pages of a
// finished sync and of a sync whose source retries show what docs/ui.md tells operators to
// look for. test/e2e/ui_test.go starts the dev server, the worker and the runs, and passes
// what to check in UI_CHECK (JSON); CHROMIUM is the browser, PLAYWRIGHT_CORE the directory
// of the pinned playwright-core, UI_PROFILE a fresh profile directory. With a screenshots
// directory in UI_CHECK it writes the pages there as PNG files.
//
// The browser reaches nothing but loopback: every other request is aborted and reported.
import { createRequire } from 'node:module';
import path from 'node:path';

const check = JSON.parse(process.env.UI_CHECK);
const require = createRequire(path.join(process.env.PLAYWRIGHT_CORE, 'package.json'));
const { chromium } = require('playwright-core');

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);
const blocked = [];
const failures = [];

const ctx = await chromium.launchPersistentContext(process.env.UI_PROFILE, {
  executablePath: process.env.CHROMIUM,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
await ctx.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (loopback.has(u.hostname)) return route.continue();
  blocked.push(u.href);
  return route.abort();
});

try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await finished(page, check.finished);
  await retrying(page, check.retrying);
  await list(page);
} finally {
  await ctx.close();
}
if (blocked.length > 0) {
  console.log(`aborted requests off loopback: ${blocked.join(', ')}`);
}
if (failures.length > 0) {
  console.log(`FAIL: ${failures.length} checks failed`);
  process.exit(1);
}
console.log('ok: every check passed');

function runURL(run, tab) {
  return `${check.url}/namespaces/${check.namespace}/workflows/${encodeURIComponent(run.id)}/${run.run_id}/${tab}`;
}

// pageText is the text of the page and of its frames: the UI renders a run's summary and
// details, which are Markdown, in frames of their own.
async function pageText(page) {
  const parts = [];
  for (const f of page.frames()) {
    parts.push(await f.innerText('body').catch(() => ''));
  }
  return parts.join('\n');
}

// expectText waits up to 20 s for the page to show text; a failure is recorded with what the
// page showed instead.
async function expectText(page, text, what) {
  const deadline = Date.now() + 20000;
  let body = '';
  while (Date.now() < deadline) {
    body = await pageText(page);
    if (body.includes(text)) {
      console.log(`ok: ${what}: "${text}"`);
      return;
    }
    await page.waitForTimeout(250);
  }
  failures.push(what);
  console.log(`FAIL: ${what}: "${text}" is not on ${page.url()}; the page shows:\n${body.slice(0, 4000)}`);
}

async function expectMatch(page, re, what) {
  const deadline = Date.now() + 20000;
  let body = '';
  while (Date.now() < deadline) {
    body = await pageText(page);
    const m = body.match(re);
    if (m) {
      console.log(`ok: ${what}: "${m[0]}"`);
      return;
    }
    await page.waitForTimeout(250);
  }
  failures.push(what);
  console.log(`FAIL: ${what}: nothing matches ${re} on ${page.url()}; the page shows:\n${body.slice(0, 4000)}`);
}

async function screenshot(page, name) {
  if (!check.screenshots) return;
  await page.screenshot({ path: path.join(check.screenshots, name), fullPage: false });
  console.log(`wrote ${name}`);
}

// finished: the run's history page shows its status, its result and every activity's summary;
// the User Metadata tab shows its summary and its last details line.
async function finished(page, run) {
  await page.goto(runURL(run, 'history'), { waitUntil: 'load' });
  await expectText(page, 'Completed', 'the finished run\'s status');
  for (const t of run.texts) {
    await expectText(page, t, 'the finished run\'s result');
  }
  for (const s of run.summaries) {
    await expectText(page, ` • ${s}`, 'an activity\'s summary in the timeline');
  }
  await screenshot(page, 'run-finished.png');

  await page.getByText('User Metadata', { exact: true }).first().click();
  await expectText(page, run.static_summary, 'the run\'s summary');
  await expectText(page, run.details, 'the run\'s current details');
  await screenshot(page, 'run-metadata.png');
}

// retrying: the Pending Activities tab shows the retrying discovery with its attempt, its
// last failure (type and cause) and its heartbeat details; the timeline shows the attempt on
// the activity's summary.
async function retrying(page, run) {
  await page.goto(runURL(run, 'pending-activities'), { waitUntil: 'load' });
  await expectText(page, check.pending_activity, 'the pending activity');
  await expectMatch(page, /Attempt\s+\d+ of Unlimited/, 'the pending activity\'s attempt');
  for (const t of run.texts) {
    await expectText(page, t, 'the pending activity\'s failure and heartbeat');
  }
  await screenshot(page, 'pending-activity.png');

  await page.goto(runURL(run, 'history'), { waitUntil: 'load' });
  await expectText(page, 'Running', 'the retrying run\'s status');
  for (const s of run.summaries) {
    await expectText(page, ` • ${s}`, 'an activity\'s summary in the timeline');
  }
  await expectMatch(page, /Attempt \d+ \/ ∞ • \w+ • discover /, 'the retrying activity\'s attempt in the timeline');
  await screenshot(page, 'run-retrying.png');
}

// list: the Workflows page lists both runs.
async function list(page) {
  await page.goto(`${check.url}/namespaces/${check.namespace}/workflows`, { waitUntil: 'load' });
  await expectText(page, check.finished.id, 'the finished run in the list');
  await expectText(page, check.retrying.id, 'the retrying run in the list');
  await screenshot(page, 'workflows.png');
}
