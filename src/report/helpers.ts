/**
 * Handlebars helpers for the report templates: layout (wrap, indent, pad), colour (only when the
 * view's root says `color: true`) and Markdown/HTML escaping. Helpers never read input data
 * beyond their arguments and the root `color` flag.
 */
import type Handlebars from 'handlebars';
import { isStyle, LEVEL_STYLE, paint, type Style } from './ansi';
import { codeSpan, fence, htmlText, markdownText } from './markdown-escape';
import { indentRest, plural, visibleLength, wrap, type Level } from './text';

/** Text reports wrap prose at this many columns (fixed, never the terminal width: output must not depend on the environment). */
export const TEXT_WIDTH = 100;

type HelperArgs = unknown[];

function split(args: HelperArgs): { params: unknown[]; options: Handlebars.HelperOptions } {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  return { params: args.slice(0, -1), options };
}

function useColor(options: Handlebars.HelperOptions): boolean {
  const root = (options.data as { root?: { color?: unknown } } | undefined)?.root;
  return root?.color === true;
}

function str(value: unknown, helper: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`report helper ${helper}: expected text, got ${value === null ? 'null' : typeof value}`);
}

function int(value: unknown, helper: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new Error(`report helper ${helper}: expected a count, got ${String(value)}`);
  return value;
}

export function registerReportHelpers(hb: typeof Handlebars): void {
  /** {{paint text "bold" "red"}}: styles applied only when the root view has color: true. */
  hb.registerHelper('paint', (...args: HelperArgs) => {
    const { params, options } = split(args);
    const [text, ...styles] = params;
    const names = styles.map((s) => {
      if (typeof s !== 'string' || !isStyle(s)) throw new Error(`report helper paint: unknown style ${String(s)}`);
      return s;
    });
    return paint(useColor(options), names as Style[], str(text, 'paint'));
  });

  /** {{level severity [label] [pad=n]}}: the severity word (or a label for it), coloured by severity, padded to n columns. */
  hb.registerHelper('level', (...args: HelperArgs) => {
    const { params, options } = split(args);
    const severity = str(params[0], 'level') as Level;
    const styles = LEVEL_STYLE[severity];
    if (!styles) throw new Error(`report helper level: unknown severity ${severity}`);
    const label = params.length > 1 ? str(params[1], 'level') : severity;
    const width = options.hash['pad'];
    const padding = typeof width === 'number' ? ' '.repeat(Math.max(0, width - visibleLength(label))) : '';
    return paint(useColor(options), styles, label) + padding;
  });

  /**
   * {{wrap text indent [first]}}: word-wrapped at TEXT_WIDTH, continuation lines indented by
   * `indent`; `first` is the column where the first line starts (default: `indent`).
   */
  hb.registerHelper('wrap', (...args: HelperArgs) => {
    const { params } = split(args);
    const indent = int(params[1], 'wrap');
    return wrap(str(params[0], 'wrap'), TEXT_WIDTH, indent, params.length > 2 ? int(params[2], 'wrap') : indent);
  });

  /** {{#wrapped indent [first]}}...{{/wrapped}}: the block's output, wrapped like {{wrap}}. */
  hb.registerHelper('wrapped', function (this: unknown, ...args: HelperArgs) {
    const { params, options } = split(args);
    const indent = int(params[0], 'wrapped');
    return wrap(options.fn(this), TEXT_WIDTH, indent, params.length > 1 ? int(params[1], 'wrapped') : indent);
  });

  /** {{plural count "table" ["tables"]}} → `2 tables`. */
  hb.registerHelper('plural', (...args: HelperArgs) => {
    const { params } = split(args);
    const count = int(params[0], 'plural');
    const one = str(params[1], 'plural');
    return plural(count, one, params.length > 2 ? str(params[2], 'plural') : undefined);
  });

  /** {{indent text n}}: every line after the first indented by n spaces (multi-line SQL). */
  hb.registerHelper('indent', (...args: HelperArgs) => {
    const { params } = split(args);
    return indentRest(str(params[0], 'indent'), int(params[1], 'indent'));
  });

  /** {{md text}}: Markdown prose (a table cell too: `|` is escaped). */
  hb.registerHelper('md', (...args: HelperArgs) => markdownText(str(split(args).params[0], 'md')));
  hb.registerHelper('mdCode', (...args: HelperArgs) => {
    const { params, options } = split(args);
    return codeSpan(str(params[0], 'mdCode'), options.hash['cell'] === true);
  });
  hb.registerHelper('html', (...args: HelperArgs) => htmlText(str(split(args).params[0], 'html')));
  /** {{fence text "sql"}}: a fenced code block long enough that the content cannot close it. */
  hb.registerHelper('fence', (...args: HelperArgs) => {
    const { params } = split(args);
    return fence(str(params[0], 'fence'), str(params[1], 'fence'));
  });
}
