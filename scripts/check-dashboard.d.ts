/**
 * checkDashboard type-checks a dashboard's JSON against @grafana/schema and returns one
 * line per problem, or none.
 */
export function checkDashboard(json: string): string[];
