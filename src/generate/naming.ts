/**
 * Migration folder names: `<timestamp>_<slug>`. Slugs are short, readable, stable and harmless:
 * lower-case ASCII letters, digits and single underscores, whatever the schema's names hold
 * (quotes, semicolons, `--`, slashes, `..`, non-Latin scripts). Pure.
 */

/** Longest slug after the timestamp: keeps folder names readable and far below path limits. */
export const MAX_SLUG_LENGTH = 60;

import { shortHash } from '../schema/names';

export { shortHash };

/**
 * `Post_authorId` → `post_authorid`; accents are dropped (`café` → `cafe`), everything else
 * outside [a-z0-9] becomes `_` (`Größe` → `gro_e`), runs collapse, ends are trimmed.
 * Returns '' when nothing readable is left.
 */
export function slugPart(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Joins readable parts into one slug of at most `max` characters. When nothing readable is left
 * (a name in another script), or the slug must be cut to fit, a hash of the original text stands
 * in for what was lost, so that different long names keep different slugs.
 */
export function slugify(parts: readonly string[], max = MAX_SLUG_LENGTH): string {
  const tag = shortHash(parts.join('\u0000'));
  const slug = parts
    .map(slugPart)
    .filter((p) => p.length > 0)
    .join('_');
  if (slug.length === 0) return `h${tag}`;
  if (slug.length <= max) return slug;
  return `${slug.slice(0, max - tag.length - 1).replace(/_+$/, '')}_${tag}`;
}

/** `<timestamp>_<slug>`. */
export function folderName(timestamp: string, slug: string): string {
  return `${timestamp}_${slug}`;
}
