/**
 * Schema paths → the forms machine formats need: forward slashes, relative to the repository
 * root (which is where idxgen runs in CI), percent-encoded for SARIF URIs.
 */

/** `prisma\schema.prisma` → `prisma/schema.prisma`; `./x` → `x`. */
export function slashPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

export function isAbsolutePath(file: string): boolean {
  return /^(?:\/|[A-Za-z]:\/|\/\/)/.test(slashPath(file));
}

function encodeSegment(segment: string): string {
  // RFC 3986 pchar minus what would need care in a URI reference; '..' and '.' stay as they are.
  return encodeURIComponent(segment).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A SARIF artifactLocation: a relative URI against `%SRCROOT%` for paths below the working
 * directory (what GitHub code scanning needs), an absolute `file:` URI otherwise.
 */
export function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const path = slashPath(file);
  if (isAbsolutePath(path)) {
    const drive = /^[A-Za-z]:\//.test(path);
    const segments = path.split('/').map((s, i) => (drive && i === 0 ? s : encodeSegment(s)));
    return { uri: `file://${drive ? '/' : ''}${segments.join('/')}` };
  }
  return { uri: path.split('/').map(encodeSegment).join('/'), uriBaseId: '%SRCROOT%' };
}
