/**
 * Picks the media type to answer with from an `Accept` header (RFC 9110 §12.5.1): each offered
 * type gets the quality of the most specific range matching it (`text/html`, then `text/*`,
 * then the wildcard range), the best quality above 0 wins, and ties go to the earlier offer.
 * With no header, or when nothing offered is acceptable, the first offer: RFC 9110 lets a
 * server disregard Accept rather than answer 406, and a JSON client should not be refused JSON.
 */
export function negotiate<T extends string>(
  accept: string | undefined,
  offers: readonly [T, ...T[]],
): T {
  if (!accept) return offers[0];
  const ranges = accept.split(',').flatMap((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const match = /^([\w.+*-]+)\/([\w.+*-]+)$/.exec(range);
    if (match === null) return [];
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    // RFC 9110 §12.4.2: a weight is from 0 to 1; a range with another is malformed, and ignored.
    return quality >= 0 && quality <= 1 ? [{ type: match[1], subtype: match[2], quality }] : [];
  });
  let best = offers[0];
  let bestQuality = 0;
  for (const offer of offers) {
    const [type, subtype] = offer.toLowerCase().split('/');
    let specificity = -1;
    let quality = 0;
    for (const range of ranges) {
      const fit =
        range.type === type && range.subtype === subtype
          ? 2
          : range.type === type && range.subtype === '*'
            ? 1
            : range.type === '*' && range.subtype === '*'
              ? 0
              : -1;
      if (fit > specificity) [specificity, quality] = [fit, range.quality];
    }
    if (quality > bestQuality) [best, bestQuality] = [offer, quality];
  }
  return best;
}
