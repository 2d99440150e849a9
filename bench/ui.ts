/**
 * bench:ui — `<segment-builder>` against react-querybuilder 8, in the same run and the same
 * Chromium (Debian's), on the same 50 fields and segment. Prints the median of several runs of each
 * figure, side by side, and the ratio.
 *
 *   npm run bench:ui                 (BENCH_UI_RUNS=9 for more runs)
 *   BENCH_UI_ONLY=bundle npm run bench:ui   (the bundle figures only: no browser)
 *
 * - bundle: what a page loads for the builder, minified + gzip (ours: element + core + Lit;
 *   react-querybuilder without React, and the page with React and ReactDOM);
 * - first paint of a 200-condition segment: from mounting to the next frame produced;
 * - one keystroke in a condition's value at 200 conditions, to the next frame;
 * - one keystroke at the end of the text view of a 5,000-character expression, to the next frame
 *   (react-querybuilder has no text view: a bare <textarea> is printed as the floor);
 * - "add condition" at 200 conditions: from the click to the next frame.
 *
 * Each of the last three is also given "until caught up": to the first frame after the builder's
 * work for that input is all done (ours analyses a keystroke after painting it, and recovers text
 * that does not parse once typing pauses; react-querybuilder has committed by the first frame).
 */
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 7);
const CONDITIONS = 200;
const KEYS = 10;
/** The builder recovers text that does not parse once typing pauses this long (RECOVER_DELAY_MS). */
const RECOVER_PAUSE = 150;

async function bundle(entry: string, external: string[] = []): Promise<{ min: number; gzip: number; code: string }> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    logLevel: 'error',
  });
  const code = out.outputFiles[0].text;
  return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, code };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const ours = await bundle('bench/ui/entry-builder.ts');
  const rqbAlone = await bundle('bench/ui/entry-rqb.tsx', ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime']);
  const rqbPage = await bundle('bench/ui/entry-rqb.tsx');
  if (process.env.BENCH_UI_ONLY === 'bundle') {
    console.log(`bench:ui bundles, min+gzip: <segment-builder> (element+core+Lit) ${kb(ours.gzip)} (${kb(ours.min)} minified; target ≤ 30 kB ${ours.gzip <= 30 * 1024 ? 'ok' : 'MISSED'}), react-querybuilder ${kb(rqbAlone.gzip)} without React, ${kb(rqbPage.gzip)} with React`);
    return;
  }
  const pages = {
    ours: (await bundle('bench/ui/builder-page.ts')).code,
    rqb: (await bundle('bench/ui/rqb-page.tsx')).code,
  };

  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (name === 'ours.js' || name === 'rqb.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(pages[name === 'ours.js' ? 'ours' : 'rqb']);
      return;
    }
    const script = name === 'rqb' ? 'rqb.js' : 'ours.js';
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/${script}"></script></head><body><div id="root"></div></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

  type Figures = { paint: number[]; key: number[]; add: number[]; text: number[]; keyDone: number[]; textDone: number[]; addDone: number[]; elements: number; options: number };
  const figures = (): Figures => ({ paint: [], key: [], add: [], text: [], keyDone: [], textDone: [], addDone: [], elements: 0, options: 0 });
  const results: Record<'ours' | 'rqb', Figures> = { ours: figures(), rqb: figures() };

  const open = async (which: 'ours' | 'rqb'): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${origin}/${which}`);
    await page.waitForFunction(() => 'harness' in window);
    return page;
  };

  for (let run = 0; run < RUNS; run++) {
    // Alternate the order so neither always runs on a warmer machine.
    for (const which of run % 2 ? (['rqb', 'ours'] as const) : (['ours', 'rqb'] as const)) {
      const page = await open(which);
      const r = results[which];
      const first = await page.evaluate((n) => window.harness.mount(n), CONDITIONS);
      r.paint.push(first.ms);
      r.elements = first.elements;
      r.options = first.options;
      await page.evaluate((n) => window.harness.focusValue(n), CONDITIONS);
      await page.evaluate(() => window.harness.settle());
      await page.evaluate(() => window.harness.takeSamples());
      await page.evaluate(() => window.harness.takeSettled());
      for (let k = 0; k < KEYS; k++) {
        await page.keyboard.press('x');
        await page.evaluate(() => window.harness.settle());
      }
      r.key.push(median(await page.evaluate(() => window.harness.takeSamples())));
      r.keyDone.push(median(await page.evaluate(() => window.harness.takeSettled())));
      await page.evaluate(() => window.harness.addSelector());
      const add: number[] = [];
      const addDone: number[] = [];
      for (let k = 0; k < 5; k++) {
        await page.evaluate(() => window.harness.takeSamples());
        await page.evaluate(() => window.harness.takeSettled());
        await page.locator('[data-bench-add]').click();
        await page.evaluate(() => window.harness.settle());
        add.push(...(await page.evaluate(() => window.harness.takeSamples())));
        addDone.push(...(await page.evaluate(() => window.harness.takeSettled())));
      }
      r.add.push(median(add));
      r.addDone.push(median(addDone));
      if (which === 'ours') {
        await page.evaluate(() => window.harness.mount(0, 'text'));
        await page.evaluate(() => window.harness.focusText());
        await page.evaluate(() => window.harness.settle());
        await page.evaluate(() => window.harness.takeSamples());
        await page.evaluate(() => window.harness.takeSettled());
        for (let k = 0; k < KEYS; k++) {
          await page.keyboard.press('x');
          await page.evaluate(() => window.harness.settle());
        }
        r.text.push(median(await page.evaluate(() => window.harness.takeSamples())));
        r.textDone.push(median(await page.evaluate(() => window.harness.takeSettled())));
      }
      await page.close();
    }
  }

  // The floor for the text view: a bare <textarea> of the same 5,000 characters.
  const floorPage = await browser.newPage();
  await floorPage.goto(`${origin}/ours`);
  await floorPage.waitForFunction(() => 'harness' in window);
  const floor: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await floorPage.evaluate(() => {
      const area = document.createElement('textarea');
      area.value = 'x'.repeat(5000);
      document.querySelector('#root')!.replaceChildren(area);
      area.focus();
      area.setSelectionRange(5000, 5000);
    });
    await floorPage.evaluate(() => window.harness.takeSamples());
    for (let k = 0; k < KEYS; k++) {
      await floorPage.keyboard.press('x');
      await floorPage.evaluate(() => window.harness.settle());
    }
    floor.push(median(await floorPage.evaluate(() => window.harness.takeSamples())));
  }
  await browser.close();
  server.close();

  const o = results.ours;
  const q = results.rqb;
  const row = (what: string, a: string, b: string, ratio: string, target: string) => console.log(`${what.padEnd(44)} ${a.padStart(12)} ${b.padStart(14)} ${ratio.padStart(8)}  ${target}`);
  console.log(`bench:ui — median of ${RUNS} runs, Chromium ${browser.version()}, ${CONDITIONS} conditions over 50 fields`);
  row('', '<segment-builder>', 'react-querybuilder', 'ratio', 'target (ours)');
  row('bundle, min+gzip (ours: element+core+Lit)', kb(ours.gzip), kb(rqbAlone.gzip), (ours.gzip / rqbAlone.gzip).toFixed(2), ours.gzip <= 30 * 1024 ? '≤ 30 kB ok' : '≤ 30 kB MISSED');
  row('  … the page with React', '', kb(rqbPage.gzip), (ours.gzip / rqbPage.gzip).toFixed(2), '');
  row('  minified, not gzipped', kb(ours.min), kb(rqbAlone.min), '', '');
  row('first paint, 200 conditions', ms(median(o.paint)), ms(median(q.paint)), (median(o.paint) / median(q.paint)).toFixed(2), median(o.paint) <= 50 ? '≤ 50 ms ok' : '≤ 50 ms MISSED');
  row('  elements / <option>s', `${o.elements} / ${o.options}`, `${q.elements} / ${q.options}`, '', '');
  row('keystroke in a value to paint, 200 conditions', ms(median(o.key)), ms(median(q.key)), (median(o.key) / median(q.key)).toFixed(2), median(o.key) <= 16 ? '≤ 16 ms ok' : '≤ 16 ms MISSED');
  row('  … until every view caught up (+1 frame)', ms(median(o.keyDone)), ms(median(q.keyDone)), (median(o.keyDone) / median(q.keyDone)).toFixed(2), '');
  row('keystroke in the text view, 5,000 chars', ms(median(o.text)), `(textarea ${ms(median(floor))})`, (median(o.text) / median(floor)).toFixed(2), median(o.text) <= 8 ? '≤ 8 ms ok' : '≤ 8 ms MISSED');
  row('  … until colours, problems caught up', ms(median(o.textDone)), `(incl. ${RECOVER_PAUSE} ms pause)`, '', '');
  row('"add condition" to paint, 200 conditions', ms(median(o.add)), ms(median(q.add)), (median(o.add) / median(q.add)).toFixed(2), median(o.add) <= 16 ? '≤ 16 ms ok' : '≤ 16 ms MISSED');
  row('  … until every view caught up (+1 frame)', ms(median(o.addDone)), ms(median(q.addDone)), (median(o.addDone) / median(q.addDone)).toFixed(2), '');
  console.log(`runs (ms): first paint ours ${o.paint.map((x) => x.toFixed(0)).join(' ')} | rqb ${q.paint.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`           keystroke ours ${o.key.map((x) => x.toFixed(1)).join(' ')} | rqb ${q.key.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`           keystroke caught up ours ${o.keyDone.map((x) => x.toFixed(1)).join(' ')} | rqb ${q.keyDone.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`           add ours ${o.add.map((x) => x.toFixed(1)).join(' ')} | rqb ${q.add.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`           text ours ${o.text.map((x) => x.toFixed(1)).join(' ')} | textarea ${floor.map((x) => x.toFixed(1)).join(' ')}`);
}

await main();
