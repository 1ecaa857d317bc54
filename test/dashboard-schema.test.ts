import { readFileSync } from 'node:fs';
import { DASHBOARD_PATH } from './helpers/dashboard';
import { checkDashboard } from '../scripts/check-dashboard';

// The dashboard against Grafana's own types (@grafana/schema), so that a misspelt field or a
// wrong type fails here, not when someone imports the dashboard.
// The edits below reach into the JSON as loosely as a person with an editor does.
/* eslint-disable @typescript-eslint/no-explicit-any */
const shipped = readFileSync(DASHBOARD_PATH, 'utf8');
const edited = (edit: (dashboard: any) => void) => {
  const dashboard = JSON.parse(shipped);
  edit(dashboard);
  return JSON.stringify(dashboard);
};

test('the shipped dashboard matches the Dashboard type of @grafana/schema, panel options included', () => {
  expect(checkDashboard(shipped)).toEqual([]);
}, 30_000);

test.each([
  [
    'a misspelt panel field',
    (d: any) => (d.panels[1].desciption = 'x'),
    /panel 2 .*known properties, and '"desciption"' does not exist/,
  ],
  [
    'a misspelt stat option',
    (d: any) => (d.panels[0].options.colourMode = 'background'),
    /panel 1 .*'"colourMode"' does not exist/,
  ],
  [
    'a value outside an enum',
    (d: any) => (d.panels[0].options.colorMode = 'backround'),
    /panel 1 .*"backround"/,
  ],
  [
    'a misspelt time series field option',
    (d: any) => (d.panels[3].fieldConfig.defaults.custom.lineWidht = 1),
    /panel 4 .*'"lineWidht"' does not exist/,
  ],
  [
    'a misspelt query field',
    (d: any) => (d.panels[4].targets[0].legendFromat = '{{account}}'),
    /panel 5 .*'"legendFromat"' does not exist/,
  ],
  [
    'a number as a string',
    (d: any) => (d.panels[2].gridPos.w = '8'),
    /panel 3 .*'string' is not assignable to type 'number'/,
  ],
  ['a misspelt dashboard field', (d: any) => (d.refersh = '1m'), /dashboard: .*'"refersh"' does not exist/],
])(
  '%s fails the check',
  (_what, edit, message) => {
    const problems = checkDashboard(edited(edit));
    expect(problems.join('\n')).toMatch(message);
  },
  30_000,
);
