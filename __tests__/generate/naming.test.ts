import { folderName, slugify, slugPart, MAX_SLUG_LENGTH } from '../../src/generate/naming';
import {
  addSeconds,
  firstTimestamp,
  folderTimestamp,
  formatTimestamp,
  parseTimestamp,
} from '../../src/generate/timestamp';

describe('timestamps', () => {
  test.each(['20250101120000', '20240229235959', '19700101000000'])('accepts %s', (ts) => {
    expect(parseTimestamp(ts)).toBeInstanceOf(Date);
    expect(formatTimestamp(parseTimestamp(ts)!)).toBe(ts);
  });

  test.each([
    '2025010112000',
    '202501011200000',
    '20251301120000',
    '20250230120000',
    '20250101240000',
    '20250101126000',
    '2025-01-01T12:00',
    'abc',
    '',
  ])('rejects %j', (ts) => {
    expect(parseTimestamp(ts)).toBeUndefined();
  });

  test('formats in UTC whatever the local zone', () => {
    expect(formatTimestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe('20250102030405');
  });

  test('adds seconds across day, month and year ends', () => {
    expect(addSeconds('20241231235959', 1)).toBe('20250101000000');
    expect(addSeconds('20240228235959', 1)).toBe('20240229000000');
    expect(addSeconds('20250101000000', 3)).toBe('20250101000003');
  });

  test('reads the prefix of existing folder names only when it is a real timestamp', () => {
    expect(folderTimestamp('20240101120000_init')).toBe('20240101120000');
    expect(folderTimestamp('20240101120000')).toBe('20240101120000');
    expect(folderTimestamp('0_init')).toBeUndefined();
    expect(folderTimestamp('20241301120000_bad_month')).toBeUndefined();
    expect(folderTimestamp('202401011200001_longer')).toBeUndefined();
  });

  test('the first timestamp of a run is later than every existing folder', () => {
    expect(firstTimestamp('20250101000000', [])).toBe('20250101000000');
    expect(firstTimestamp('20250101000000', ['20240101000000_init'])).toBe('20250101000000');
    // Not later than the newest: newest + 1 second.
    expect(firstTimestamp('20250101000000', ['20240101000000_init', '20250101000000_same'])).toBe('20250101000001');
    expect(firstTimestamp('20200101000000', ['20240101000000_init', '20260101000000_future', '0_base'])).toBe(
      '20260101000001',
    );
  });
});

describe('slugs', () => {
  test('readable ASCII from Prisma names', () => {
    expect(slugify(['idx', 'Post', 'authorId', 'createdAt'])).toBe('idx_post_authorid_createdat');
    expect(slugify(['check', 'wallet_transactions', 'balance_after'])).toBe('check_wallet_transactions_balance_after');
    expect(slugPart('café')).toBe('cafe');
  });

  test('hostile names become harmless slugs', () => {
    const hostile = 'we"ird; DROP TABLE x; --';
    const slug = slugify(['idx', hostile, 'col']);
    expect(slug).toBe('idx_we_ird_drop_table_x_col');
    for (const name of [
      '../../etc/passwd',
      'a/b\\c',
      'x\u0000y',
      '\u202egnp.exe',
      '$(rm -rf /)',
      '`id`',
      ' spaced  out ',
      'CON',
      '..',
    ]) {
      const s = slugify(['idx', name]);
      expect(s).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
      expect(s.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    }
  });

  test('names with nothing readable get a stable hash', () => {
    const a = slugify(['日本語']);
    expect(a).toMatch(/^h[0-9a-f]{8}$/);
    expect(slugify(['日本語'])).toBe(a);
    expect(slugify(['中文'])).not.toBe(a);
  });

  test('long names are cut to the limit and keep a distinguishing hash', () => {
    const long1 = slugify(['idx', 'a'.repeat(80), 'one']);
    const long2 = slugify(['idx', 'a'.repeat(80), 'two']);
    expect(long1.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(long1).not.toBe(long2);
    expect(long1).toMatch(/^idx_a+_[0-9a-f]{8}$/);
  });

  test('folder names sort by timestamp first', () => {
    const names = [
      folderName('20250101000001', 'zzz'),
      folderName('20250101000000', 'aaa'),
      folderName('20250101000002', 'mmm'),
    ];
    expect([...names].sort()).toEqual(['20250101000000_aaa', '20250101000001_zzz', '20250101000002_mmm']);
  });
});
