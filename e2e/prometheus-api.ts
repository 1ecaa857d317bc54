import { request } from 'undici';

export type Labels = Record<string, string>;

/** InstantSample is one series of an instant query: its labels (with __name__) and its value as Prometheus prints it. */
export interface InstantSample {
  metric: Labels;
  value: string;
}

/** TargetMetadata is one metric family as a target's last scrape described it. */
export interface TargetMetadata {
  target: Labels;
  metric: string;
  type: string;
  help: string;
  unit: string;
}

/** ActiveTarget is the part of /api/v1/targets the tests read. */
export interface ActiveTarget {
  labels: Labels;
  health: string;
  lastError: string;
  scrapeUrl: string;
}

/** PrometheusApi reads a running Prometheus' HTTP API; every call throws with Prometheus' error. */
export class PrometheusApi {
  constructor(readonly url: string) {}

  async get<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
    const query = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const { statusCode, body } = await request(`${this.url}${path}?${query}`);
    const text = await body.text();
    const answer = JSON.parse(text) as { status: string; data: T; error?: string };
    if (statusCode !== 200 || answer.status !== 'success')
      throw new Error(`${path} ${params.query ?? ''}: ${answer.error ?? `${statusCode} ${text}`}`);
    return answer.data;
  }

  /** query evaluates `expr` at `time` (unix seconds), or now. */
  async query(expr: string, time?: number): Promise<InstantSample[]> {
    const data = await this.get<{ result: Array<{ metric: Labels; value: [number, string] }> }>(
      '/api/v1/query',
      time === undefined ? { query: expr } : { query: expr, time },
    );
    return data.result.map(({ metric, value }) => ({ metric, value: value[1] }));
  }

  async targets(): Promise<ActiveTarget[]> {
    return (await this.get<{ activeTargets: ActiveTarget[] }>('/api/v1/targets', { state: 'active' }))
      .activeTargets;
  }

  /** targetMetadata is every metric family the targets matching `selector` last exposed. */
  async targetMetadata(selector: string): Promise<TargetMetadata[]> {
    return this.get<TargetMetadata[]>('/api/v1/targets/metadata', { match_target: selector });
  }

  async ready(): Promise<boolean> {
    return request(`${this.url}/-/ready`)
      .then(async ({ statusCode, body }) => (await body.text(), statusCode === 200))
      .catch(() => false);
  }
}
