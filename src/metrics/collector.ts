import type { Account } from '../accounts/account';
import type { AccountSet } from '../accounts/account-set';
import { LATENCY_BUCKETS_SECONDS, unitsToUsd, type AccountState } from '../accounts/account-state';
import type { ReloadStatus } from '../config/reload';
import { ERROR_CODES } from '../tensorpix/codes';
import { familyHeader, formatValue, labelValue, type ExpositionFormat, type FamilyType } from './text-format';

export interface BuildInfo {
  version: string;
  revision: string;
  nodejs_version: string;
}

export interface CollectorSources {
  accounts: AccountSet;
  reload: ReloadStatus;
  buildInfo: BuildInfo;
}

/** AccountFamily is a family of every account: its lines for one account, from that account's state. */
interface AccountFamily {
  name: string;
  help: string;
  type: FamilyType;
  /** lines are the account's samples, `labels` being its `account="…"` written out. */
  lines(state: AccountState, labels: string, nowMs: number): string[];
}

const line = (name: string, labels: string, value: number) => `${name}{${labels}} ${formatValue(value)}`;
const DURATION = 'tensorpix_upstream_request_duration_seconds';

const ACCOUNT_FAMILIES: readonly AccountFamily[] = [
  {
    name: 'tensorpix_credits_balance_usd',
    help: 'TensorPix credits balance in USD, as cached from the last successful API read (see tensorpix_last_success_timestamp_seconds).',
    type: 'gauge',
    // An account without a good balance has no series, never a 0.
    lines(state, labels, nowMs) {
      const balance = state.balanceAt(nowMs);
      return balance === undefined ? [] : [line(this.name, labels, balance)];
    },
  },
  {
    name: 'tensorpix_up',
    help: 'Whether the last attempt to read the account balance succeeded (1) or not (0).',
    type: 'gauge',
    lines: (state, labels) => [line('tensorpix_up', labels, state.up ? 1 : 0)],
  },
  {
    name: 'tensorpix_last_success_timestamp_seconds',
    help: 'Unix time of the last successful read of the account balance.',
    type: 'gauge',
    lines(state, labels) {
      return state.good ? [line(this.name, labels, state.good.atMs / 1000)] : [];
    },
  },
  {
    name: 'tensorpix_upstream_requests_total',
    help: 'Attempts to read the account balance from the TensorPix API, whatever their outcome.',
    type: 'counter',
    lines(state, labels) {
      return [line(this.name, labels, state.attempts)];
    },
  },
  {
    name: 'tensorpix_upstream_errors_total',
    help: 'Failed attempts to read the account balance, by outcome code.',
    type: 'counter',
    lines(state, labels) {
      return ERROR_CODES.map((code) =>
        line(this.name, `${labels},code="${code}"`, state.errors.get(code) ?? 0),
      );
    },
  },
  {
    name: DURATION,
    help: 'Duration of TensorPix API requests.',
    type: 'histogram',
    lines(state, labels) {
      const { counts, sum, count } = state.latency;
      let cumulative = 0;
      const bucketLines = counts.map((n, index) => {
        cumulative += n;
        const le = index < LATENCY_BUCKETS_SECONDS.length ? String(LATENCY_BUCKETS_SECONDS[index]) : '+Inf';
        return line(`${DURATION}_bucket`, `${labels},le="${le}"`, cumulative);
      });
      return [...bucketLines, line(`${DURATION}_sum`, labels, sum), line(`${DURATION}_count`, labels, count)];
    },
  },
  {
    name: 'tensorpix_credits_spent_usd_total',
    help: 'Sum of observed decreases of the credits balance in USD.',
    type: 'counter',
    lines(state, labels) {
      return [line(this.name, labels, unitsToUsd(state.spentUnits))];
    },
  },
  {
    name: 'tensorpix_credits_added_usd_total',
    help: 'Sum of observed increases of the credits balance in USD (top-ups, renewals).',
    type: 'counter',
    lines(state, labels) {
      return [line(this.name, labels, unitsToUsd(state.addedUnits))];
    },
  },
];

const EXPORTER_FAMILIES = {
  buildInfo: {
    name: 'tensorpix_exporter_build_info',
    help: 'A metric with a constant 1 value labelled by version, revision and Node.js version of the exporter.',
  },
  reloadSuccessful: {
    name: 'tensorpix_exporter_config_last_reload_successful',
    help: 'Whether the last configuration reload succeeded (1) or was rejected (0).',
  },
  reloadTimestamp: {
    name: 'tensorpix_exporter_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration load.',
  },
};

/** Kept is one account's lines of every family, as of one version of its state. */
interface Kept {
  key: string;
  labels: string;
  byFamily: string[];
}

/** header is a family's HELP and TYPE lines, without the last newline (lines are joined). */
const header = (name: string, help: string, type: FamilyType, format: ExpositionFormat) =>
  familyHeader(name, help, type, format).slice(0, -1);

/**
 * createCollector renders every tensorpix_* series from the live accounts' state, at
 * `nowMs`: one source of truth, so an account the set no longer holds has no line, and a
 * new one starts from its new state's zeros. Each account's lines are kept until its
 * state's version changes (or its balance expires), so a scrape of a thousand accounts
 * where a few changed writes a few accounts' lines and joins the rest, instead of
 * formatting forty thousand lines again. The output is the text prom-client writes for
 * the same samples: classic (families apart by a blank line) or OpenMetrics (counter
 * families named without `_total`).
 */
export function createCollector(sources: CollectorSources): {
  render(format: ExpositionFormat, nowMs: number): string;
} {
  const kept = new WeakMap<AccountState, Kept>();
  const headers = {
    prometheus: ACCOUNT_FAMILIES.map((family) => header(family.name, family.help, family.type, 'prometheus')),
    openmetrics: ACCOUNT_FAMILIES.map((family) =>
      header(family.name, family.help, family.type, 'openmetrics'),
    ),
  };
  const build = sources.buildInfo;
  const buildLabels = `version="${labelValue(build.version)}",revision="${labelValue(build.revision)}",nodejs_version="${labelValue(build.nodejs_version)}"`;

  const linesOf = (account: Account, nowMs: number): string[] => {
    const { state } = account;
    const key = `${state.version}:${state.balanceAt(nowMs) === undefined ? 0 : 1}`;
    let entry = kept.get(state);
    if (entry?.key === key) return entry.byFamily;
    const labels = entry?.labels ?? `account="${labelValue(account.name)}"`;
    entry = {
      key,
      labels,
      byFamily: ACCOUNT_FAMILIES.map((family) => family.lines(state, labels, nowMs).join('\n')),
    };
    kept.set(state, entry);
    return entry.byFamily;
  };

  return {
    render(format, nowMs) {
      const accounts = sources.accounts.accounts().map((account) => linesOf(account, nowMs));
      const families = ACCOUNT_FAMILIES.map((_family, index) => {
        const parts = [headers[format][index]!];
        for (const lines of accounts) if (lines[index]) parts.push(lines[index]!);
        return parts.join('\n');
      });
      const { buildInfo, reloadSuccessful, reloadTimestamp } = EXPORTER_FAMILIES;
      const { reload } = sources;
      families.push(
        `${header(buildInfo.name, buildInfo.help, 'gauge', format)}\n${buildInfo.name}{${buildLabels}} 1`,
        `${header(reloadSuccessful.name, reloadSuccessful.help, 'gauge', format)}\n${reloadSuccessful.name} ${reload.successful ? 1 : 0}`,
        `${header(reloadTimestamp.name, reloadTimestamp.help, 'gauge', format)}\n${reloadTimestamp.name} ${formatValue(reload.lastSuccessMs / 1000)}`,
      );
      return format === 'openmetrics' ? `${families.join('\n')}\n` : `${families.join('\n\n')}\n`;
    },
  };
}
