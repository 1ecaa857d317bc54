import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import { Harness, TOKEN } from './helpers/harness';
import { balance, DETAIL, error, type Responder } from './helpers/fake-api';
import { renderPage } from './helpers/chromium';
import { testWithTool } from './helpers/external-tools';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start({
    accounts: (up) => [
      { name: 'production', apiUrl: up.url, token: { kind: 'value', value: TOKEN } },
      { name: 'staging<b>', apiUrl: up.url, token: { kind: 'value', value: 'other-token' } },
    ],
  });
  const route: Responder = (req, res) =>
    (req.headers.authorization === `Token ${TOKEN}` ? balance('12.5000') : error(401))(req, res);
  h.upstream.reply(route);
  await h.scrape();
});
afterEach(() => h.close());

test('the page lists each account with its state, escaped, and no token or upstream text', async () => {
  const url = await h.listen();
  const html = await (await fetch(url)).text();
  expect(html).toContain('<td>production</td><td>ok</td><td>$12.5000</td>');
  expect(html).toContain('<td>staging&lt;b&gt;</td><td>failing: 401</td><td>—</td><td>never</td>');
  expect(html).not.toContain(TOKEN);
  expect(html).not.toContain(DETAIL);
});

testWithTool(
  'chromium',
  'the page renders in a real browser and shows each account',
  async (chromium) => {
    const url = await h.listen();
    const screenshot = join(tmpdir(), `tensorpix-landing-${process.pid}.png`);
    try {
      const dom = await renderPage(chromium, url, screenshot);
      expect(dom).toContain('<h1>TensorPix Exporter</h1>');
      expect(dom).toMatch(/<td>production<\/td>\s*<td>ok<\/td>/);
      expect(dom).toMatch(/<td>staging&lt;b&gt;<\/td>\s*<td>failing: 401<\/td>/);
      expect(existsSync(screenshot)).toBe(true);
    } finally {
      rmSync(screenshot, { force: true });
    }
  },
  60_000,
);
