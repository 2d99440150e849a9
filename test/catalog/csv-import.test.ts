import { describe, expect, it } from 'vitest';
import { CsvImportError, keyOfHeader, readMemberCsv } from '../../core/catalog/csv-import';
import { MemoryDirectory } from '../../core/catalog/directory';
import { rejectsWith } from './expect-error';

const PROFILES = [
  { id: 'p1', custom_id: 'C-1', email: 'Amal@Example.com', phone: '+968 9123 4567' },
  { id: 'p2', custom_id: 'C-2', email: 'omar@example.com', phone: '+44 20 7946 0018' },
  { id: 'p3', email: 'shared@example.com' },
  { id: 'p4', email: 'SHARED@example.com' },
  { id: 5, custom_id: 7 },
];
const directory = new MemoryDirectory(PROFILES);

describe('reading a member list from CSV', () => {
  it.each([
    ['Profile ID', 'profile_id'],
    ['profile_id', 'profile_id'],
    ['id', 'profile_id'],
    ['Custom ID', 'custom_id'],
    ['E-mail', 'email'],
    ['Email address', 'email'],
    ['Phone number', 'phone'],
    ['msisdn', 'phone'],
  ])('recognises the header %s as a %s column', (header, key) => {
    expect(keyOfHeader(header)).toBe(key);
  });

  it('matches people by email, ignoring case and surrounding spaces', async () => {
    const list = await readMemberCsv('Name,E-mail\nAmal, amal@example.COM \nOmar,omar@example.com\n', { directory });
    expect(list).toMatchObject({ key: 'email', column: 'E-mail', rows: 2, members: ['p1', 'p2'], duplicates: 0, problems: [] });
  });

  it('matches phone numbers in any spelling through their E.164 form', async () => {
    const list = await readMemberCsv('phone\n+96891234567\n"+968 9123-4567"\n+44 20 7946 0018\n', { directory });
    expect(list.members).toEqual(['p1', 'p2']);
    expect(list.duplicates).toBe(1);
  });

  it('reads national phone numbers with a default country', async () => {
    const list = await readMemberCsv('msisdn\n91234567\n', { directory, defaultCountry: 'OM' });
    expect(list.members).toEqual(['p1']);
  });

  it('reports unknown people, invalid values and ambiguous matches with their line numbers', async () => {
    const csv = 'email\namal@example.com\nnobody@example.com\n\nnot-an-email\nshared@example.com\n';
    const list = await readMemberCsv(csv, { directory });
    expect(list.members).toEqual(['p1']);
    expect(list.rows).toBe(4);
    expect(list.problems).toEqual([
      { line: 3, value: 'nobody@example.com', reason: 'no profile has the email "nobody@example.com"' },
      { line: 5, value: 'not-an-email', reason: '"not-an-email" is not an email address' },
      { line: 6, value: 'shared@example.com', reason: '2 profiles have the email "shared@example.com": "p3" and "p4"' },
    ]);
  });

  it('counts a person listed twice once, also through two ids of the same kind', async () => {
    const list = await readMemberCsv('Profile ID\np1\np1\np2\n5\n', { directory });
    expect(list).toMatchObject({ members: ['p1', 'p2', '5'], duplicates: 1, problems: [] });
  });

  it('prefers the profile id column when several identify people, and obeys the chosen column', async () => {
    const csv = 'email;Custom ID;profile_id\nomar@example.com;C-1;p1\n';
    expect((await readMemberCsv(csv, { directory })).members).toEqual(['p1']);
    expect((await readMemberCsv(csv, { directory, column: 'custom id' })).members).toEqual(['p1']);
    expect((await readMemberCsv(csv, { directory, column: 'EMAIL' })).members).toEqual(['p2']);
    expect((await readMemberCsv(csv, { directory, key: 'email' })).members).toEqual(['p2']);
  });

  it('reads a file without a header when told what its column holds', async () => {
    const list = await readMemberCsv('C-2\nC-1\n7\n', { directory, header: false, key: 'custom_id' });
    expect(list.members).toEqual(['p2', 'p1', '5']);
    await rejectsWith(readMemberCsv('C-2\n', { directory, header: false }), 'invalid-option');
  });

  it('handles a byte-order mark, CRLF line ends, quoted fields and streamed chunks', async () => {
    const chunks = ['\uFEFF"Full name","Profile ID"\r\n"Doe, ', 'Jane",p2\r\n', '"Said ""Sam""",p1\r\n'];
    const list = await readMemberCsv((async function* () { yield* chunks; })(), { directory });
    expect(list.members).toEqual(['p2', 'p1']);
  });

  it('says which columns a file has when none identifies people', async () => {
    const error = await rejectsWith(readMemberCsv('name,city\nAmal,Muscat\n', { directory }), 'invalid-csv');
    expect(error.summary).toBe('the file has no column that identifies people: its columns are "name" and "city"');
    expect((await rejectsWith(readMemberCsv('name\n', { directory, column: 'mail' }), 'invalid-csv')).summary).toBe('the file has no column "mail"');
  });

  it('refuses malformed CSV with a clear error instead of a crash', async () => {
    const error = await rejectsWith(readMemberCsv('id\n"p1\n', { directory }), 'invalid-csv');
    expect(error.summary).toMatch(/^the file is not valid CSV/);
    await rejectsWith(readMemberCsv('', { directory }), 'invalid-csv');
  });

  it('explains all refused rows in the import error', () => {
    const problems = [1, 2, 3, 4].map((line) => ({ line, value: 'x', reason: 'no profile' }));
    const error = new CsvImportError(problems, 10);
    expect(error.summary).toBe('4 of 10 rows cannot be added, so nothing was imported');
    expect(error.hint).toMatch(/^line 1: no profile; line 2: no profile; line 3: no profile \(and 1 more\)/);
    expect(error.problems).toHaveLength(4);
  });
});
