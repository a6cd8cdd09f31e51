// parseIsoTime reads ISO 8601 as oslo_utils.timeutils.parse_isotime does (iso8601 1.0's grammar
// and datetime's range checks); test/clients/compat-nova-api.test.ts compares it with Python itself.
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../src/db/time.js';

const utc = (t: string) => parseIsoTime(t)?.date.toISOString() ?? null;

describe('parseIsoTime', () => {
  it('takes what iso8601 takes, in UTC when no zone is given', () => {
    expect(utc('2011')).toBe('2011-01-01T00:00:00.000Z');
    expect(utc('2011-02')).toBe('2011-02-01T00:00:00.000Z');
    expect(utc('20110203')).toBe('2011-02-03T00:00:00.000Z');
    expect(utc('2011-2-3T04')).toBe('2011-02-03T04:00:00.000Z');
    expect(utc('2011-01-01 10:00:00')).toBe('2011-01-01T10:00:00.000Z');
    expect(utc('2011-01-01T000000')).toBe('2011-01-01T00:00:00.000Z');
    expect(utc('2011-01-01T00:00:00,5Z')).toBe('2011-01-01T00:00:00.500Z');
    expect(utc('2011-01-01T00:00:00+05:30')).toBe('2010-12-31T18:30:00.000Z');
    expect(utc('2011-01-01T00:00:00-0800')).toBe('2011-01-01T08:00:00.000Z');
    expect(utc('0099-12-31T23:59:59Z')).toBe('0099-12-31T23:59:59.000Z');
    expect(parseIsoTime('2011-01-01T00:00:00.1234567Z')?.microsecond).toBe(123456);
  });

  it('refuses what iso8601 or datetime refuse', () => {
    for (const t of [
      '2011/01/01',
      '201101',
      '2011-02-29',
      '2011-13-01',
      '0000-01-01',
      '2011-01-01T24:00:00',
      '2011-01-01T00:00:60',
      '2011-01-01t00:00:00',
      '2011-01-01T00:00:00z',
      ' 2011-01-01',
      '2011-01-01T00:00:00+24:00',
      'Jan 1 2011',
      '',
      'yesterday',
    ]) {
      expect(parseIsoTime(t), t).toBeNull();
    }
    expect(utc('2012-02-29')).toBe('2012-02-29T00:00:00.000Z');
  });
});
