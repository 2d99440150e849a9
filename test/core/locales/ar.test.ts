/**
 * Arabic: operator and aggregate words, counted nouns, and describe() sentences. Every expected
 * sentence below was written out and read by hand; none was copied from the output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe as group, expect, it } from 'vitest';
import { AGGREGATES } from '../../../core/aggregates';
import { describe } from '../../../core/describe';
import { ar } from '../../../core/locales/ar';
import { fieldListing } from '../../../core/metadata';
import { OPERATOR_LIST } from '../../../core/operators';
import { parse } from '../../../core/parse/parse';
import type { Schema } from '../../../core/schema';
import { en, localeStrings, operatorWords, registerLocale } from '../../../core/strings';

const schema: Schema = {
  fields: {
    country: { type: 'text', label: 'الدولة' },
    tags: { type: 'list', items: 'text', label: 'الوسوم' },
    age: { type: 'number', label: 'العمر' },
    last_seen: { type: 'date', label: 'آخر ظهور' },
    vip: { type: 'boolean', label: 'عميل مميز' },
    email: { type: 'text', label: 'البريد الإلكتروني' },
  },
  events: { purchase: { properties: { amount: { type: 'number', label: 'المبلغ' } } } },
};

const say = (source: string) => describe(parse(source), { schema, locale: ar });

/** Expression → the sentence, written by hand. */
const SENTENCES: [string, string][] = [
  ['country = "OM"', 'العملاء حيث قيمة الدولة تساوي "OM"'],
  ['country != "OM"', 'العملاء حيث قيمة الدولة لا تساوي "OM"'],
  ['tags contains "VIP" and country = "OM"', 'العملاء حيث قيمة الوسوم تحتوي على "VIP" وحيث قيمة الدولة تساوي "OM"'],
  ['country = "OM" or country = "AE"', 'العملاء إما حيث قيمة الدولة تساوي "OM" أو حيث قيمة الدولة تساوي "AE"'],
  ['not (country = "OM" and age > 30)', 'العملاء إما حيث قيمة الدولة لا تساوي "OM" أو حيث قيمة العمر ليست أكبر من 30'],
  ['country in ["OM", "AE", "SA"]', 'العملاء حيث قيمة الدولة تساوي إحدى القيم "OM"، "AE" أو "SA"'],
  ['tags contains all ["a", "b"]', 'العملاء حيث قيمة الوسوم تحتوي على كلٍّ من "a" و"b"'],
  ['age between 18 and 30', 'العملاء حيث قيمة العمر بين 18 و30'],
  ['age >= 21', 'العملاء حيث قيمة العمر أكبر من أو تساوي 21'],
  ['email is known', 'العملاء حيث قيمة البريد الإلكتروني معروفة'],
  ['not email is empty', 'العملاء حيث قيمة البريد الإلكتروني غير فارغة'],
  ['vip = true', 'العملاء حيث قيمة عميل مميز تساوي صحيح'],
  ['last_seen within last 1 day', 'العملاء حيث قيمة آخر ظهور خلال آخر يوم واحد'],
  ['last_seen within last 2 days', 'العملاء حيث قيمة آخر ظهور خلال آخر يومين'],
  ['last_seen within last 7 days', 'العملاء حيث قيمة آخر ظهور خلال آخر 7 أيام'],
  ['last_seen older than 30 days', 'العملاء حيث قيمة آخر ظهور أقدم من 30 يومًا'],
  ['last_seen older than 100 days', 'العملاء حيث قيمة آخر ظهور أقدم من 100 يوم'],
  ['last_seen > "2026-01-01"', 'العملاء حيث قيمة آخر ظهور بعد 2026-01-01'],
  ['last_seen before 3 months ago', 'العملاء حيث قيمة آخر ظهور أقدم من 3 أشهر'],
  ['last_seen after 2 weeks ago', 'العملاء حيث قيمة آخر ظهور أحدث من أسبوعين'],
  ['in_segment("VIP") and not in_segment("Inactive")', 'العملاء في الشريحة "VIP" ولكن ليسوا في الشريحة "Inactive"'],
  ['event("purchase").count() >= 1', 'العملاء الذين قاموا بالحدث "purchase" مرة واحدة على الأقل'],
  ['event("purchase").count() > 2', 'العملاء الذين قاموا بالحدث "purchase" أكثر من مرتين'],
  ['event("purchase").within(7 days).count() >= 5', 'العملاء الذين قاموا بالحدث "purchase" 5 مرات على الأقل خلال آخر 7 أيام'],
  ['event("purchase").count() = 11', 'العملاء الذين قاموا بالحدث "purchase" 11 مرة بالضبط'],
  ['event("purchase").count() = 0', 'العملاء الذين لم يقوموا بالحدث "purchase" أبدًا'],
  [
    'event("purchase").where(amount > 100).count() >= 3',
    'العملاء الذين قاموا بالحدث "purchase" (حيث قيمة المبلغ أكبر من 100) 3 مرات على الأقل',
  ],
  ['event("purchase").sum("amount") > 500', 'العملاء حيث مجموع الخاصية المبلغ في أحداث "purchase" أكبر من 500'],
  ['event("purchase").last_at() older than 30 days', 'العملاء حيث وقت آخر حدث "purchase" أقدم من 30 يومًا'],
  ['age = ?', 'العملاء (شرط لم يكتمل بعد على age)'],
];

group('Arabic describe', () => {
  it.each(SENTENCES)('describes %s', (source, sentence) => {
    expect(say(source)).toBe(sentence);
  });

  it('is used by name once registered, and English stays the default', () => {
    registerLocale(ar);
    expect(localeStrings('ar')).toBe(ar);
    expect(localeStrings('ar-OM')).toBe(ar);
    expect(describe(parse('country = "OM"'), { schema, locale: 'ar' })).toBe('العملاء حيث قيمة الدولة تساوي "OM"');
    expect(describe(parse('country = "OM"'))).toBe('Customers whose country is "OM"');
    expect(localeStrings(undefined)).toBe(en);
  });
});

group('Arabic words', () => {
  it('has a label, words and negated words for every operator, and a word for every aggregate', () => {
    for (const def of OPERATOR_LIST) {
      const words = ar.operators[def.id];
      for (const text of [words.label, words.words, words.negated]) expect(text, def.id).toMatch(/\S/);
      expect(words.negated, def.id).not.toBe(words.words);
      if (def.negates) expect(words.negated, def.id).toBe(ar.operators[def.negates].words);
    }
    for (const fn of Object.keys(AGGREGATES) as (keyof typeof AGGREGATES)[]) expect(ar.aggregates[fn].label, fn).toMatch(/[\u0600-\u06ff]/);
    expect(operatorWords('gt', { locale: ar })).toEqual({ label: '>', words: 'أكبر من', negated: 'ليس أكبر من' });
    expect(operatorWords('gt', { locale: ar, fieldType: 'date' }).words).toBe('بعد');
    expect(ar.dir).toBe('rtl');
  });

  it('counts units by the Arabic plural rules: one, two, 3–10, 11–99, 100 and up', () => {
    const d = ar.describe.duration;
    expect([1, 2, 3, 10, 11, 99, 100, 101, 102, 103].map((n) => d(n, 'day'))).toEqual([
      'يوم واحد', 'يومين', '3 أيام', '10 أيام', '11 يومًا', '99 يومًا', '100 يوم', '101 يوم', '102 يوم', '103 أيام',
    ]);
    expect([1, 2, 5, 12].map((n) => d(n, 'hour'))).toEqual(['ساعة واحدة', 'ساعتين', '5 ساعات', '12 ساعة']);
    expect([1, 2, 4, 20].map((n) => d(n, 'year'))).toEqual(['سنة واحدة', 'سنتين', '4 سنوات', '20 سنة']);
    expect(d(1.5, 'week')).toBe('1.5 أسبوع');
  });

  it('names the field categories for a grouped picker', () => {
    expect(fieldListing({ fields: { country: { type: 'text' } } }, { locale: ar })[0].label).toBe('الملف الشخصي');
  });
});

group('the Arabic entry of the package', () => {
  const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
  it.runIf(existsSync(join(ROOT, 'dist', 'locales', 'ar.mjs')))('is its own module, and the core entry carries no Arabic', () => {
    const script = `
      const core = await import('n8n-nodes-segments');
      const { ar } = await import('n8n-nodes-segments/locales/ar');
      core.registerLocale(ar);
      const fs = await import('node:fs');
      console.log(JSON.stringify({
        sentence: core.describe(core.parse('event("x").count() > 2'), { locale: 'ar' }),
        arabicInCore: /[\\u0600-\\u06ff]/.test(fs.readFileSync(${JSON.stringify(join(ROOT, 'dist', 'core', 'index.mjs'))}, 'utf8')),
      }));`;
    const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'node'), ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ sentence: 'العملاء الذين قاموا بالحدث "x" أكثر من مرتين', arabicInCore: false });
  });
});
