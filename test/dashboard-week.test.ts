import { describeDashboardWeek } from './helpers/week/suite';
import { describeEachLine } from './helpers/prometheus-lines';

// The dashboard and the alert rules over a generated week of history, on every tested
// Prometheus line (a missing line skips with a warning, and fails in CI).
describeEachLine(['prometheus', 'promtool'], (line, binaries) => describeDashboardWeek(binaries, line.title));
