import { API_PURPOSES } from './purposes-api';
import { CREDIT_PURPOSES } from './purposes-credits';
import { SPENDING_PURPOSES } from './purposes-spending';
import type { Purpose } from './purpose-kit';

export type { Purpose, PurposeContext, QueryResult } from './purpose-kit';

/** PURPOSES maps each panel's title to what it is for, checked over the generated week. */
export const PURPOSES: Record<string, Purpose[]> = {
  ...CREDIT_PURPOSES,
  ...SPENDING_PURPOSES,
  ...API_PURPOSES,
};
