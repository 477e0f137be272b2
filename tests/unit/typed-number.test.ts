// Numbers as people type them on a page: a decimal comma or point, and thousands grouped as the page's language groups
// them; what could be read two ways is read the page's way, and anything else is no number.
import { describe, expect, it } from 'vitest';
import { typedNumber } from '../../api/pages/i18n.js';

describe('typedNumber', () => {
  it.each([
    ['3,5', 'id', 3.5],
    ['3.5', 'id', 3.5],
    ['3,5', 'en', 3.5],
    ['3.5', 'en', 3.5],
    ['12', 'id', 12],
    [' 12,25 ', 'id', 12.25],
    ['1.250,5', 'id', 1250.5],
    ['1,250.5', 'en', 1250.5],
    ['1.250,5', 'en', 1250.5],
    ['1.250', 'id', 1250],
    ['1.250', 'en', 1.25],
    ['1,250', 'en', 1250],
    ['1,250', 'id', 1.25],
    ['1.250.000', 'id', 1_250_000],
    ['1 250,5', 'id', 1250.5],
  ] as const)('reads %j on a %s page as %d', (text, lang, value) => {
    expect(typedNumber(text, lang)).toBe(value);
  });

  it.each(['dua belas', '3,5 ha', '-3', '1.2.3', '1,2,3', ',5', '3,', '1e3', ''])('finds no number in %j', (text) => {
    expect(typedNumber(text, 'id')).toBeNaN();
  });
});
