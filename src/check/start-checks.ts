import type { Logger } from '../log/logger';
import type { AccountSpec } from '../accounts/account-spec';
import { warnClearTextApis } from './clear-text-api';
import { requireHttpParser } from '../tensorpix/parser-check';

/**
 * checkBeforeStart is what the exporter checks of its talk to the API before it listens:
 * that undici's HTTP parser can be made (exit 2 otherwise), and that no token goes out in
 * clear without a warning.
 */
export async function checkBeforeStart(
  accounts: ReadonlyArray<Pick<AccountSpec, 'apiUrl'>>,
  logger: Logger,
): Promise<void> {
  await requireHttpParser();
  warnClearTextApis(
    accounts.map((account) => account.apiUrl),
    logger,
  );
}
