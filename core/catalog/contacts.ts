/**
 * The four ways a profile is identified in CSV files (imports and exports), where they live on a
 * profile, and how their values are normalised for matching:
 * - profile id and custom id: trimmed, compared exactly;
 * - email: trimmed and lower-cased;
 * - phone: E.164 (`+96891234567`) through libphonenumber-js; national numbers need a default country.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { fieldPath, readField } from '../schema';

export type MatchKey = 'profile_id' | 'custom_id' | 'email' | 'phone';
export const MATCH_KEYS: readonly MatchKey[] = ['profile_id', 'custom_id', 'email', 'phone'];

export const KEY_LABELS: Record<MatchKey, string> = {
  profile_id: 'profile id',
  custom_id: 'custom id',
  email: 'email',
  phone: 'phone number',
};

/** Where each identifier lives: a dotted field path on in-memory profiles, a column in SQL. */
export interface ContactFields {
  id: string;
  customId?: string;
  email?: string;
  phone?: string;
}

export const DEFAULT_CONTACT_FIELDS: Required<ContactFields> = { id: 'id', customId: 'custom_id', email: 'email', phone: 'phone' };

export function fieldFor(key: MatchKey, fields: ContactFields): string | undefined {
  switch (key) {
    case 'profile_id':
      return fields.id;
    case 'custom_id':
      return fields.customId;
    case 'email':
      return fields.email;
    case 'phone':
      return fields.phone;
  }
}

export interface NormaliseOptions {
  /** ISO 3166 country for phone numbers written without `+` and country code (e.g. "OM"). */
  defaultCountry?: string;
}

/** The matching form of a value, or a reason why it cannot be one. */
export function normalise(key: MatchKey, raw: string, options: NormaliseOptions = {}): { value: string } | { reason: string } {
  const text = raw.trim();
  if (text === '') return { reason: `the ${KEY_LABELS[key]} is empty` };
  switch (key) {
    case 'profile_id':
    case 'custom_id':
      return { value: text };
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(text) ? { value: text.toLowerCase() } : { reason: `${JSON.stringify(text)} is not an email address` };
    case 'phone': {
      const e164 = toE164(text, options.defaultCountry);
      if (e164) return { value: e164 };
      const hint = text.startsWith('+') || options.defaultCountry ? '' : ' (write it with + and the country code, or give a default country)';
      return { reason: `${JSON.stringify(text)} is not a valid phone number${hint}` };
    }
  }
}

/** `+` and 6 to 15 digits, the first not 0: the shape of E.164 (not a validity check). */
export const E164_SHAPE = /^\+[1-9]\d{5,14}$/;

/** E.164 form of a phone number, or undefined if it is not a valid number. */
export function toE164(text: string, defaultCountry?: string): string | undefined {
  const parsed = parsePhoneNumberFromString(text.trim(), defaultCountry ? { defaultCountry: defaultCountry.toUpperCase() as CountryCode } : undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** A dotted path on a profile (`attributes.plan`), read by the rule every engine follows (`readField`). */
export function readPath(profile: Record<string, unknown>, path: string): unknown {
  return readField(profile, fieldPath(path));
}

/** A scalar as CSV/identity text; objects and unknowns have none. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
