/**
 * Dates from a git host as the spec holds them: RFC 3339, UTC, whole seconds. The expected answers are
 * written out by hand, calendar rules included.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { utcDate } from '../../src/hosts/boundary.ts';

describe('dates from a git host', () => {
  const cases: Array<[unknown, string | null, string]> = [
    ['2024-03-05T07:08:09Z', '2024-03-05T07:08:09Z', 'already in our form'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00Z', 'February 29 of a leap year'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z', 'February 29 of a year divisible by 400'],
    ['2023-02-29T00:00:00Z', '2023-03-01T00:00:00Z', 'February 29 of a common year is the day after February 28'],
    ['1900-02-29T00:00:00Z', '1900-03-01T00:00:00Z', 'February 29 of a year divisible by 100 but not 400'],
    ['2024-04-31T10:00:00Z', '2024-05-01T10:00:00Z', 'April 31 is May 1'],
    ['2024-12-31T24:00:00Z', '2025-01-01T00:00:00Z', 'hour 24 is midnight of the next day'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59Z', 'a leap second is the second before it'],
    ['2024-03-05t07:08:09z', '2024-03-05T07:08:09Z', 'lower-case separators'],
    ['2024-03-05T07:08:09.999Z', '2024-03-05T07:08:09Z', 'fractions of a second dropped'],
    ['2024-03-05T09:08:09+02:00', '2024-03-05T07:08:09Z', 'an offset turned into UTC'],
    ['2024-13-01T00:00:00Z', null, 'month 13'],
    ['2024-00-10T00:00:00Z', null, 'month 0'],
    ['2024-03-05', null, 'a date without a time'],
    ['', null, 'empty'],
    [null, null, 'null'],
    [1709622489, null, 'a number'],
  ];
  for (const [input, expected, what] of cases) {
    test(`${what}: ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(utcDate(input), expected);
    });
  }
});
