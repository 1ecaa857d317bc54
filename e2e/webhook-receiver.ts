import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** WebhookAlert is one alert of an Alertmanager webhook notification. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** startWebhookReceiver records every alert Alertmanager posts to it. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  alerts: WebhookAlert[];
  close(): Promise<void>;
}> {
  const alerts: WebhookAlert[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        alerts.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
      } finally {
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    alerts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
