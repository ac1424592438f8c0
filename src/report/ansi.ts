/** ANSI styling for the text reporters, applied only when the caller asks for colour. */
import type { Level } from '../rules/types';

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  green: [32, 39],
  gray: [90, 39],
} as const;

export type Style = keyof typeof STYLES;

export function isStyle(name: string): name is Style {
  return Object.prototype.hasOwnProperty.call(STYLES, name);
}

/** `text` wrapped in the given styles (outermost first) when `color`, unchanged otherwise. */
export function paint(color: boolean, styles: readonly Style[], text: string): string {
  if (!color || text === '') return text;
  return styles.reduceRight((acc, style) => {
    const [open, close] = STYLES[style];
    return `\u001b[${open}m${acc}\u001b[${close}m`;
  }, text);
}

/** The style of a severity word. */
export const LEVEL_STYLE = {
  error: ['bold', 'red'],
  warn: ['bold', 'yellow'],
  info: ['bold', 'cyan'],
} as const satisfies Record<Level, readonly Style[]>;
