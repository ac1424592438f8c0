import { isPrismaIdentifier, PRISMA_IDENTIFIER_SOURCE } from '../../src/schema/identifier';

// Prisma's identifier rule (src/schema/identifier.ts): what render/declaration.ts checks before it
// prints a name into schema.prisma.

/** The rule as written, without isPrismaIdentifier's ASCII fast path. */
const RULE = new RegExp(`^${PRISMA_IDENTIFIER_SOURCE}$`, 'u');
describe('isPrismaIdentifier', () => {
  it.each([
    ['id', true],
    ['userId', true],
    ['user_id', true],
    ['a-b', true],
    ['1abc', true],
    ['état', true],
    ['名前', true],
    ['\u212Aelvin', true],
    ['x_ü-2', true],
    ['𝒜b', true],
    ['', false],
    ['_id', false],
    ['-a', false],
    ['a b', false],
    ['a\n', false],
    ['a.b', false],
    ['a\u0301', false], // a combining mark is not a letter
    ['١', false], // nor is a non-ASCII digit
    ['a\uD800', false], // a lone surrogate
  ])('%j → %s', (text, expected) => {
    expect(isPrismaIdentifier(text)).toBe(expected);
    expect(RULE.test(text)).toBe(expected);
  });

  it('answers as the rule does on random short strings of ASCII and non-ASCII characters', () => {
    const alphabet = ['a', 'Z', '0', '9', '_', '-', ' ', '.', '\n', 'é', '名', '\u0301', '١', '\uD835\uDC9C', '\uD800'];
    let seed = 12345;
    // A 32-bit LCG (Math.imul: exact), read from its high bits (its low bits repeat within a few steps).
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = next() % 6;
      for (let k = 0; k < length; k++) text += alphabet[next() % alphabet.length];
      expect([text, isPrismaIdentifier(text)]).toEqual([text, RULE.test(text)]);
    }
  });
});
