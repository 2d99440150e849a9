import { describe, expect, it } from 'vitest';
import { fixture, segment } from './cli';

describe('segment format', () => {
  it('prints the canonical form: words for synonyms, one space, double quotes', () => {
    const r = segment(['format', "Country=='OM'   &&   !(tags contains 'VIP' || opt_out == true)  "]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${r.stdout.trimEnd()}\n`);
    const canonical = r.stdout.trimEnd();
    expect(canonical).toBe('Country = "OM" and not (tags contains "VIP" or opt_out = true)');
  });

  it('is idempotent: formatting the canonical form gives it back', () => {
    const once = segment(['format', 'event("purchase").where(amount>=10).within(30d).count()>=2 and last_seen within 7 days']).stdout;
    const twice = segment(['format'], { input: once }).stdout;
    expect(twice).toBe(once);
  });

  it('prints {"canonical"} with --json', () => {
    const r = segment(['format', '--json', 'a=1']);
    expect(JSON.parse(r.stdout)).toEqual({ canonical: 'a = 1' });
  });

  it('reports a syntax error with exit code 2', () => {
    const r = segment(['format', 'a = ']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\[[a-z-]+\] at 1:\d+: /);
  });
});

describe('segment explain', () => {
  it('prints a plain-English sentence, then the canonical form', () => {
    const r = segment(['explain', '--schema', fixture('schema.json'), 'tags contains "VIP"  AND  country=="OM"']);
    expect(r.status).toBe(0);
    const [sentence, canonical, ...rest] = r.stdout.trimEnd().split('\n');
    expect(sentence).toMatch(/VIP/);
    expect(sentence).toMatch(/OM/);
    expect(sentence).not.toBe(canonical);
    expect(canonical).toBe('tags contains "VIP" and country = "OM"');
    expect(rest).toEqual([]);
  });

  it('prints {description, canonical} with --json', () => {
    const r = segment(['explain', '--json', 'clicks_count > 0']);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['canonical', 'description']);
    expect(out.canonical).toBe('clicks_count > 0');
    expect(out.description.length).toBeGreaterThan(10);
  });

  it('validates against --schema before explaining', () => {
    const r = segment(['explain', '--schema', fixture('schema.json'), 'tier = "gold"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[unknown-field]');
    expect(r.stdout).toBe('');
  });
});
