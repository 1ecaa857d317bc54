import type { ExpositionFormat } from '../metrics/formats';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((piece) => piece.trim());
    const params = new Map<string, string>();
    for (const param of rest) {
      const equals = param.indexOf('=');
      if (equals > 0)
        params.set(
          param.slice(0, equals).trim().toLowerCase(),
          param
            .slice(equals + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        );
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 };
  });
}

// What each format can be asked for as: its media type and the versions it satisfies.
const OFFERS: Array<{ format: ExpositionFormat; type: string; versions: string[] }> = [
  { format: 'prometheus', type: 'text/plain', versions: ['0.0.4', '1.0.0'] },
  { format: 'openmetrics', type: 'application/openmetrics-text', versions: ['1.0.0', '0.0.1'] },
];

/** qualityOf is the q the most specific matching range gives an offer, 0 when none matches. */
function qualityOf(offer: (typeof OFFERS)[number], ranges: MediaRange[]): number {
  let best = { specificity: -1, q: 0 };
  const [offerType] = offer.type.split('/');
  for (const range of ranges) {
    const [type, subtype] = range.type.split('/');
    let specificity: number;
    if (range.type === offer.type) {
      const version = range.params.get('version');
      if (version !== undefined && !offer.versions.includes(version)) continue;
      specificity = version === undefined ? 2 : 3;
    } else if (subtype === '*' && (type === '*' || type === offerType)) specificity = type === '*' ? 0 : 1;
    else continue;
    if (specificity > best.specificity) best = { specificity, q: range.q };
  }
  return best.q;
}

/**
 * negotiateFormat picks the exposition format from an Accept header, as Prometheus asks
 * for it (`application/openmetrics-text;version=1.0.0;q=0.5,…,text/plain;version=0.0.4;q=0.2,*\/*;q=0.1`):
 * OpenMetrics when the client prefers it, the classic text format otherwise — without the
 * header, with `*\/*`, on a tie, or when nothing matches (a client that asked for
 * something else gets what every Prometheus reads rather than an error).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  // Every scrape passes here: most clients never name OpenMetrics, and need no parsing;
  // Prometheus does, with the same header on every scrape, so the last answer is kept.
  if (accept === undefined || !accept.toLowerCase().includes('openmetrics')) return 'prometheus';
  if (accept === lastNegotiated.accept) return lastNegotiated.format;
  const ranges = mediaRanges(accept);
  const [classic, openMetrics] = OFFERS.map((offer) => qualityOf(offer, ranges)) as [number, number];
  const format = openMetrics > classic ? 'openmetrics' : 'prometheus';
  lastNegotiated = { accept, format };
  return format;
}

/** lastNegotiated is the last header parsed and its answer (negotiateFormat depends on nothing else). */
let lastNegotiated: { accept?: string; format: ExpositionFormat } = { format: 'prometheus' };

/** acceptsGzip tells whether an Accept-Encoding header allows gzip (explicitly or by `*`), with q above 0. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding === '') return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const quality = Number.isFinite(q) ? q : 0;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, quality);
    else if (coding === '*') any = quality;
  }
  return (gzip ?? any ?? 0) > 0;
}
