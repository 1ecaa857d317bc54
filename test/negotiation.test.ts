import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { request as undiciRequest } from 'undici';
import { acceptsGzip, negotiateFormat } from '../src/web/negotiate';
import { balance } from './helpers/fake-api';
import { Harness } from './helpers/harness';

// What Prometheus sends, by version and scrape_protocols.
const PROMETHEUS_2_42 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3_DEFAULT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
const PROMETHEUS_3_TEXT_ONLY =
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1';

describe('negotiateFormat', () => {
  test.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    ['application/json', 'prometheus'],
    [PROMETHEUS_2_42, 'openmetrics'],
    [PROMETHEUS_3_DEFAULT, 'openmetrics'],
    [PROMETHEUS_3_TEXT_ONLY, 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['Application/OpenMetrics-Text; Version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'openmetrics'],
    // A version we do not write is not OpenMetrics we can give.
    ['application/openmetrics-text;version=2.0.0', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['text/plain;q=0.9,application/openmetrics-text;q=0.5', 'prometheus'],
    ['text/plain;q=0.5,application/openmetrics-text;q=0.9', 'openmetrics'],
    ['application/openmetrics-text;q=0.5,text/plain;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=nonsense', 'prometheus'],
    // OpenMetrics only when named: a wildcard is no promise to read it.
    ['application/*;q=0.9,text/plain;q=0.1', 'prometheus'],
    [',,;;=,application/openmetrics-text', 'openmetrics'],
  ])('Accept %p → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  test('never throws, and is one of the two formats, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (accept) => {
        expect(['prometheus', 'openmetrics']).toContain(
          negotiateFormat(`application/openmetrics-text${accept}`),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('acceptsGzip', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['gzip, deflate, br', true],
    ['deflate, br', false],
    ['gzip;q=0', false],
    ['gzip;q=0.001', true],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['br, *;q=0.1', true],
    ['gzip;q=abc', false],
  ])('Accept-Encoding %p → %p', (header, gzip) => {
    expect(acceptsGzip(header)).toBe(gzip);
  });
});

describe('what /metrics answers', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await Harness.start({ exporterMetrics: true });
    h.upstream.reply(balance('3.0000'));
    url = await h.listen();
  });
  afterAll(() => h.close());

  /** get answers the raw bytes, never decoded, so the test sees what was sent. */
  const get = async (headers: Record<string, string>) => {
    const response = await undiciRequest(`${url}/metrics`, { headers });
    return { headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
  };

  test('gzip only when asked: the same text either way', async () => {
    const plain = await get({ 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept, Accept-Encoding');
    const text = plain.body.toString();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    const zipped = await get({ 'Accept-Encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    const unzipped = gunzipSync(zipped.body).toString();
    // Process metrics move between two scrapes; the tensorpix_* text does not.
    const tensorpix = (body: string) => body.split('\n').filter((line) => line.includes('tensorpix_'));
    expect(tensorpix(unzipped)).toEqual(tensorpix(text));
    expect(unzipped).toContain('process_cpu_seconds_total');
    expect(zipped.body.length).toBeLessThan(text.length / 2);
    const refused = await get({ 'Accept-Encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  test('OpenMetrics only when asked, as Prometheus asks; classic otherwise', async () => {
    const classic = await get({ Accept: 'text/plain' });
    expect(classic.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const classicText = classic.body.toString();
    expect(classicText).toContain('# TYPE tensorpix_upstream_requests_total counter');
    expect(classicText).not.toContain('# EOF');

    const om = await get({ Accept: PROMETHEUS_3_DEFAULT, 'Accept-Encoding': 'gzip' });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const omText = gunzipSync(om.body).toString();
    expect(omText).toContain('# TYPE tensorpix_upstream_requests counter\n');
    expect(omText).toContain('tensorpix_upstream_requests_total{account="default"} 1\n');
    expect(omText).toContain('# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total ');
    // One end, at the very end, and no blank line anywhere (OpenMetrics forbids them).
    expect(omText.endsWith('\n# EOF\n')).toBe(true);
    expect(omText.match(/# EOF/g)).toHaveLength(1);
    expect(omText).not.toContain('\n\n');
  });

  test('HEAD answers the headers of GET and no body', async () => {
    const head = await request(h.handler).head('/metrics').set('Accept-Encoding', 'identity');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.text ?? '').toBe('');
  });
});
