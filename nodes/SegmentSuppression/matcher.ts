/**
 * Matching items against a suppression list fast: only the kinds of key the list holds are computed
 * for an item, and a phone is normalised (libphonenumber-js: parse and validity check, tens of µs)
 * only when it could be on the list. Whatever the format of a phone number, its digits end with the
 * last digits of its national number (a national prefix, a carrier code or Argentina's mobile "15"
 * only change what comes before), so an item whose last digits match no listed number's cannot be
 * listed, and is not parsed. Text with letters or extension marks is always parsed.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { IDataObject } from 'n8n-workflow';
import { normaliseContact } from 'n8n-nodes-segments/server';
import { readPath } from '../shared/profiles';

/** How many trailing digits of the national number are compared before parsing. */
const SUFFIX = 7;
const PLAIN_PHONE = /^[\d\s+().\-/]*$/;

export interface ContactFields {
  emailField: string;
  phoneField: string;
  idField: string;
  defaultCountry: string;
}

export interface ListMatch {
  list: string;
  matchedBy: 'email' | 'phone' | 'id';
  value: string;
}

export class ListMatcher {
  private readonly hasEmail: boolean;
  private readonly hasPhone: boolean;
  private readonly hasId: boolean;
  private readonly suffixes = new Set<string>();
  private readonly lengths = new Set<number>();

  /** `listed`: `email:…`, `phone:+…` (E.164) and `id:…` keys → the list's name. */
  constructor(
    private readonly listed: ReadonlyMap<string, string>,
    private readonly fields: ContactFields,
  ) {
    let email = false;
    let phone = false;
    let id = false;
    for (const key of listed.keys()) {
      if (key.startsWith('email:')) email = true;
      else if (key.startsWith('id:')) id = true;
      else if (key.startsWith('phone:')) {
        phone = true;
        const e164 = key.slice('phone:'.length);
        const national = parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.slice(1);
        const tail = national.slice(-SUFFIX);
        this.suffixes.add(tail);
        this.lengths.add(tail.length);
      }
    }
    this.hasEmail = email;
    this.hasPhone = phone;
    this.hasId = id;
  }

  /** The list entry an item is on (email first, then phone, then profile id), if any. */
  match(json: IDataObject): ListMatch | undefined {
    if (this.listed.size === 0) return undefined;
    if (this.hasEmail) {
      const email = readPath(json, this.fields.emailField);
      if (typeof email === 'string') {
        const n = normaliseContact('email', email);
        const list = 'value' in n ? this.listed.get(`email:${n.value}`) : undefined;
        if (list !== undefined) return { list, matchedBy: 'email', value: (n as { value: string }).value };
      }
    }
    if (this.hasPhone) {
      const raw = readPath(json, this.fields.phoneField);
      if ((typeof raw === 'string' || typeof raw === 'number') && this.mayBeListed(String(raw))) {
        const n = normaliseContact('phone', String(raw), { defaultCountry: this.fields.defaultCountry || undefined });
        const list = 'value' in n ? this.listed.get(`phone:${n.value}`) : undefined;
        if (list !== undefined) return { list, matchedBy: 'phone', value: (n as { value: string }).value };
      }
    }
    if (this.hasId) {
      const id = readPath(json, this.fields.idField);
      if (id !== undefined && id !== null && typeof id !== 'object') {
        const list = this.listed.get(`id:${String(id)}`);
        if (list !== undefined) return { list, matchedBy: 'id', value: String(id) };
      }
    }
    return undefined;
  }

  /** False only when the phone cannot be any listed number (its trailing digits match none). */
  private mayBeListed(text: string): boolean {
    if (!PLAIN_PHONE.test(text)) return true;
    const digits = text.replace(/\D/g, '');
    for (const length of this.lengths) if (digits.length >= length && this.suffixes.has(digits.slice(-length))) return true;
    return false;
  }
}
