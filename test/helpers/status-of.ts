import { request } from 'node:http';

/**
 * statusOf asks GET `path` of the exporter on 127.0.0.1:`port` as Prometheus would (with
 * its scrape timeout header) on a connection of its own, and answers the status. A hang is
 * an error after 10 s, not a stuck test.
 */
export function statusOf(port: number, path: string, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: {
          'X-Prometheus-Scrape-Timeout-Seconds': '2',
          ...(authorization && { Authorization: authorization }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
