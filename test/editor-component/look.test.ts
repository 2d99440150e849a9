import { page } from 'vitest/browser';
import { it } from 'vitest';
import { mount } from './fixtures';
it('look', async () => {
  const el = await mount({ value: 'tags contains "VIP" and (language = "ar" or country in ["OM", "AE"]) and last_interaction older than 30 days and event("purchase").within(30 days).sum("amount") > 500 and not in_segment("Inactive 30+ Days")', view: 'both' });
  await new Promise((r) => setTimeout(r, 100));
  await page.screenshot({ path: '../../build/screenshots/look.png' });
  el.remove();
});
