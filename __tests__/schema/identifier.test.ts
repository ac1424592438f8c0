import { isPrismaIdentifier } from '../../src/schema/identifier';

// Prisma's identifier rule (src/schema/identifier.ts): what render/declaration.ts checks before it
// prints a name into schema.prisma.
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
  });
});
