/**
 * Escaping for GitHub-flavoured Markdown (PR comments). Schema names are hostile: a `|` must not
 * break a table, a backtick must not end a code span, `@name` must not mention anyone, `$` must
 * not start maths, `<` must not open HTML.
 */

/** Prose: every ASCII punctuation character Markdown (GFM, maths, mentions) may act on is backslash-escaped. */
export function markdownText(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>#|~@$&:]/g, (ch) => `\\${ch}`);
}

/**
 * An inline code span that holds `text` exactly: the delimiter is one backtick longer than the
 * longest backtick run inside; padded with spaces when the text starts or ends with a backtick.
 * In a table cell `|` must still be escaped (GFM splits cells before parsing code spans).
 */
export function codeSpan(text: string, inTableCell = false): string {
  let body = oneLine(text);
  if (inTableCell) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const tick = '`'.repeat(longest + 1);
  const padded =
    body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '')
      ? ` ${body} `
      : body;
  return `${tick}${padded}${tick}`;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
export function fence(text: string, language: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`{3,}/g), (m) => m[0].length));
  const bar = '`'.repeat(Math.max(3, longest + 1));
  return `${bar}${language}\n${text.replace(/\n+$/, '')}\n${bar}`;
}

/** Text inside raw HTML (`<summary>`): entities for `& < > "`, and for `@`/`$` so GitHub does not mention or typeset. */
export function htmlText(text: string): string {
  return oneLine(text).replace(/[&<>"@$`*_\\[\]|]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
