import type { Account } from '../accounts/account';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function accountRow(account: Account, nowMs: number, monotonicMs: number): string {
  const { up, lastError, good } = account.state;
  const balance = account.state.balanceAt(monotonicMs);
  const state = up ? 'ok' : lastError === undefined ? 'not read yet' : `failing: ${lastError.code}`;
  const cells = [
    account.name,
    state,
    balance === undefined ? '—' : `$${balance.toFixed(4)}`,
    good === undefined ? 'never' : age(nowMs - good.atMs),
  ];
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
}

/**
 * landingPage is the small page at `/`: what this is, a link to the metrics and each
 * account's state. It shows only our own words and codes, never upstream text or tokens.
 */
export function landingPage(options: {
  version: string;
  telemetryPath: string;
  accounts: readonly Account[];
  /** nowMs is the wall clock, for the age of a reading; monotonicMs the clock balances expire on. */
  nowMs: number;
  monotonicMs: number;
}): string {
  const rows = options.accounts
    .map((account) => accountRow(account, options.nowMs, options.monotonicMs))
    .join('\n');
  const path = escapeHtml(options.telemetryPath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TensorPix Exporter</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
</style>
</head>
<body>
<h1>TensorPix Exporter</h1>
<p>Version ${escapeHtml(options.version)}. Prometheus metrics: <a href="${path}">${path}</a>.
Health: <a href="/-/healthy">/-/healthy</a>, readiness: <a href="/-/ready">/-/ready</a>.</p>
<h2>Accounts</h2>
<table>
<thead><tr><th>Account</th><th>State</th><th>Last good balance</th><th>Read</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>The page shows the cache; it does not call the TensorPix API.</p>
</body>
</html>
`;
}
