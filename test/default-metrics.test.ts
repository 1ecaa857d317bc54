import { collectDefaultMetrics, Registry } from 'prom-client';
import { balance } from './helpers/fake-api';
import { Harness } from './helpers/harness';

/** Family is what a family's HELP and TYPE lines say of it. */
interface Family {
  name: string;
  type: string;
  help: string;
}

/** families reads every family's name, type and HELP from exposition text, sorted by name. */
function families(text: string, keep: (name: string) => boolean): Family[] {
  const byName = new Map<string, Family>();
  for (const [, kind, name, rest] of text.matchAll(/^# (HELP|TYPE) (\S+) (.*)$/gm)) {
    if (!keep(name!)) continue;
    const family = byName.get(name!) ?? { name: name!, type: '', help: '' };
    if (kind === 'HELP') family.help = rest!;
    else family.type = rest!;
    byName.set(name!, family);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const processOrNode = (name: string) => /^(process|nodejs)_/.test(name);

/** reference is what a fresh prom-client registry's collectDefaultMetrics() exposes in `contentType`. */
async function reference(
  contentType: typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE,
) {
  const register = new Registry<typeof contentType>();
  register.setContentType(contentType);
  collectDefaultMetrics({ register });
  return families(await register.metrics(), () => true);
}

let h: Harness;
afterEach(() => h.close());

test.each([
  ['classic text', {}, Registry.PROMETHEUS_CONTENT_TYPE],
  ['OpenMetrics', { Accept: 'application/openmetrics-text' }, Registry.OPENMETRICS_CONTENT_TYPE],
] as const)(
  "%s: the process_* and nodejs_* families are exactly collectDefaultMetrics()'s (name, type, HELP)",
  async (_format, headers, contentType) => {
    h = await Harness.start({ exporterMetrics: true });
    h.upstream.reply(balance('1.0000'));
    const served = families(await h.scrape(headers), processOrNode);
    const expected = await reference(contentType);
    // Not an empty comparison: prom-client's whole set, GC histogram and event loop included.
    expect(expected.map((family) => family.name)).toEqual(
      expect.arrayContaining([
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_gc_duration_seconds',
        'nodejs_active_handles_total',
      ]),
    );
    expect(served).toEqual(expected);
  },
);

test('--web.disable-exporter-metrics leaves every process_* and nodejs_* family out, in both formats', async () => {
  h = await Harness.start({ exporterMetrics: false });
  h.upstream.reply(balance('1.0000'));
  for (const headers of [{}, { Accept: 'application/openmetrics-text' }] as Array<Record<string, string>>) {
    const text = await h.scrape(headers);
    expect(text).toContain('tensorpix_up{account="default"} 1');
    expect(families(text, processOrNode)).toEqual([]);
  }
});
