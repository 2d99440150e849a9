/**
 * Suppression in n8n's engine: the global rule (N messages, no click) and a suppression list on the
 * second input, with phones normalised to E.164 and emails case-folded on both sides.
 */
import { describe, expect, it } from 'vitest';
import { ListMatcher } from '../../nodes/SegmentSuppression/matcher';
import { connect, node, runWorkflow } from './harness';

const CONTACTS = [
  { id: 'c1', name: 'tired', email: 'a@example.com', phone: '+96891234567', sent_count: 12, clicks_count: 0 },
  { id: 'c2', name: 'clicker', email: 'b@example.com', phone: '+96891234568', sent_count: 40, clicks_count: 3 },
  { id: 'c3', name: 'new', email: 'c@example.com', phone: '+96891234569', sent_count: 2, clicks_count: 0 },
  { id: 'c4', name: 'opted out', email: 'D@Example.com', phone: '91234570', sent_count: 1, clicks_count: 1 },
  { id: 'c5', name: 'bounced', email: 'e@example.com', phone: '+968 9123 4571', sent_count: 0, clicks_count: 0 },
];
const OPT_OUTS = [{ email: 'd@example.COM ' }, { phone: '0096891234571' }, { phone: 'not a phone' }];

function suppress(parameters: Record<string, unknown>, list?: unknown[]) {
  const nodes = [node('Contacts', 'test.items', { items: JSON.stringify(CONTACTS) }), node('Suppression', 'n8n-nodes-segments.segmentSuppression', parameters as never)];
  const links: [string, string, number?, number?][] = [['Contacts', 'Suppression']];
  if (list) {
    nodes.push(node('Opt-outs', 'test.items', { items: JSON.stringify(list) }));
    links.push(['Opt-outs', 'Suppression', 0, 1]);
  }
  return runWorkflow({ nodes, connections: connect(...links) });
}

const names = (items: { name?: unknown }[]) => items.map((j) => j.name);

describe('Suppression', () => {
  it('suppresses contacts with at least N messages and no click, saying so', async () => {
    const r = await suppress({ globalRule: true, threshold: 10, countsFrom: 'fields', messagesField: 'sent_count', clicksField: 'clicks_count', listSource: 'none' });
    expect(r.error).toBeUndefined();
    expect(names(r.json('Suppression', 0))).toEqual(['clicker', 'new', 'opted out', 'bounced']);
    const suppressed = r.json('Suppression', 1);
    expect(names(suppressed)).toEqual(['tired']);
    expect(suppressed[0]!.suppressed).toEqual({ rule: 'global', messages: 12, clicks: 0, threshold: 10 });
    expect(r.output('Suppression', 1)[0]!.pairedItem).toEqual({ item: 0 });
  });

  it('counts messages and clicks from the events on each item', async () => {
    const r = await runWorkflow({
      nodes: [
        node('Contacts', 'test.items', {
          items: JSON.stringify([
            { name: 'three sends', events: [{ event: 'message_received' }, { event: 'Message_Received' }, { event: 'message_received' }] },
            { name: 'sent and clicked', events: [{ event: 'message_received' }, { event: 'message_received' }, { event: 'message_received' }, { event: 'clicked' }] },
          ]),
        }),
        node('Suppression', 'n8n-nodes-segments.segmentSuppression', { globalRule: true, threshold: 3, countsFrom: 'events', messageEvent: 'message_received', clickEvent: 'clicked', listSource: 'none' }),
      ],
      connections: connect(['Contacts', 'Suppression']),
    });
    expect(names(r.json('Suppression', 1))).toEqual(['three sends']);
    expect(names(r.json('Suppression', 0))).toEqual(['sent and clicked']);
  });

  it('suppresses the contacts on the list of the second input, matching case-folded emails and E.164 phones', async () => {
    const r = await suppress({ globalRule: false, listSource: 'input', listName: 'opt-outs', options: { defaultCountry: 'OM' } }, OPT_OUTS);
    expect(r.error).toBeUndefined();
    const suppressed = r.json('Suppression', 1);
    expect(names(suppressed)).toEqual(['opted out', 'bounced']);
    expect(suppressed[0]!.suppressed).toEqual({ rule: 'list', list: 'opt-outs', matchedBy: 'email', value: 'd@example.com' });
    expect(suppressed[1]!.suppressed).toEqual({ rule: 'list', list: 'opt-outs', matchedBy: 'phone', value: '+96891234571' });
    expect(names(r.json('Suppression', 0))).toEqual(['tired', 'clicker', 'new']);
  });

  it('applies the list before the rule, and both together', async () => {
    const r = await suppress({ globalRule: true, threshold: 10, countsFrom: 'fields', messagesField: 'sent_count', clicksField: 'clicks_count', listSource: 'input', options: { defaultCountry: 'OM' } }, OPT_OUTS);
    expect(names(r.json('Suppression', 1))).toEqual(['tired', 'opted out', 'bounced']);
    expect(r.json('Suppression', 1).map((j) => (j.suppressed as { rule: string }).rule)).toEqual(['global', 'list', 'list']);
    // the default list name when none is given
    expect((r.json('Suppression', 1)[1]!.suppressed as { list: string }).list).toBe('suppression list');
  });

  it('without a default country, a local phone number does not match its international form', async () => {
    const r = await suppress({ globalRule: false, listSource: 'input' }, [{ phone: '+96891234570' }]);
    expect(names(r.json('Suppression', 1))).toEqual([]);
    const withCountry = await suppress({ globalRule: false, listSource: 'input', options: { defaultCountry: 'OM' } }, [{ phone: '+96891234570' }]);
    expect(names(withCountry.json('Suppression', 1))).toEqual(['opted out']);
  });
});

describe('the suppression list matcher', () => {
  const fields = { emailField: 'email', phoneField: 'phone', idField: 'id', defaultCountry: '' };

  it('parses only the phones whose last digits could be on the list, and still finds every listed one', () => {
    // Argentina: the national form "011 15-…" becomes +54 9 11 …: only the trailing digits survive.
    const listed = new Map([
      ['phone:+5491112345678', 'opt-outs'],
      ['phone:+96891234571', 'bounces'],
    ]);
    const matcher = new ListMatcher(listed, { ...fields, defaultCountry: 'AR' });
    expect(matcher.match({ phone: '011 15-1234-5678' })).toEqual({ list: 'opt-outs', matchedBy: 'phone', value: '+5491112345678' });
    expect(matcher.match({ phone: '+968 9123 4571 ext. 5' })).toEqual({ list: 'bounces', matchedBy: 'phone', value: '+96891234571' });
    expect(matcher.match({ phone: '(00968) 9123-4571' })).toEqual({ list: 'bounces', matchedBy: 'phone', value: '+96891234571' });
    expect(matcher.match({ phone: '+968 9123 4572' })).toBeUndefined();
    expect(matcher.match({ phone: 96891234571 })).toBeUndefined();
    expect(matcher.match({ phone: '+96891234571' })).toEqual({ list: 'bounces', matchedBy: 'phone', value: '+96891234571' });
  });

  it('reads only the kinds of key the list holds, in the order email, phone, profile id', () => {
    const matcher = new ListMatcher(new Map([['id:p7', 'blocked'], ['email:a@example.com', 'opt-outs']]), fields);
    expect(matcher.match({ id: 'p7', email: 'A@example.com' })).toEqual({ list: 'opt-outs', matchedBy: 'email', value: 'a@example.com' });
    expect(matcher.match({ id: 'p7', email: 'b@example.com' })).toEqual({ list: 'blocked', matchedBy: 'id', value: 'p7' });
    expect(matcher.match({ id: { nested: true } })).toBeUndefined();
  });
});
