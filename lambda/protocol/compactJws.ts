/**
 * Whether a body has the shape of a compact JWS: three base64url segments, the first two non-empty.
 *
 * A plain loop, not a regular expression: bodies reach 6 MB, and V8 ran the equivalent
 * `/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/` on such bodies out of stack now and then
 * (a RangeError, so a 500) when the process was busy. A loop is linear and needs no stack.
 */
function isBase64Url(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x2d || // -
    c === 0x5f // _
  );
}

export function isCompactJws(text: string): boolean {
  let dots = 0;
  let segment = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (segment === 0 || dots === 2) return false;
      dots += 1;
      segment = 0;
    } else if (isBase64Url(c)) {
      segment += 1;
    } else {
      return false;
    }
  }
  return dots === 2;
}
