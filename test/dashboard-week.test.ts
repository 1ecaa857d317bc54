import { describeDashboardWeek } from './helpers/week/suite';

// The dashboard and the alert rules over a generated week of history, on the Prometheus and
// promtool on PATH (Debian's prometheus package). Another version runs the same suite by
// calling describeDashboardWeek with its own binaries.
describeDashboardWeek({ prometheus: 'prometheus', promtool: 'promtool' }, 'Prometheus on PATH');
