// Path arithmetic on `file://` URIs (and plain paths), without touching the file system.

export function dirnameUri(uri: string): string {
  const i = uri.lastIndexOf('/');
  return i > 0 ? uri.slice(0, i) : uri;
}

export function basenameUri(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/** Resolves a relative path against a directory URI, normalising `.` and `..`. */
export function joinUri(dirUri: string, relative: string): string {
  if (/^[a-z]+:\/\//i.test(relative) || relative.startsWith('/')) return relative;
  const schemeEnd = dirUri.indexOf('://');
  const prefix = schemeEnd >= 0 ? dirUri.slice(0, schemeEnd + 3) : '';
  const rest = schemeEnd >= 0 ? dirUri.slice(schemeEnd + 3) : dirUri;
  const parts = rest.split('/');
  for (const seg of relative.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 1) parts.pop();
    } else parts.push(seg);
  }
  return prefix + parts.join('/');
}

/** Whether `uri` is `dirUri` itself or inside it. */
export function isUnder(uri: string, dirUri: string): boolean {
  const dir = dirUri.endsWith('/') ? dirUri.slice(0, -1) : dirUri;
  return uri === dir || uri.startsWith(dir + '/');
}

/** Relative path from a directory URI to a URI inside it (the URI itself otherwise). */
export function relativeUri(dirUri: string, uri: string): string {
  const dir = dirUri.endsWith('/') ? dirUri.slice(0, -1) : dirUri;
  return uri.startsWith(dir + '/') ? uri.slice(dir.length + 1) : uri;
}
