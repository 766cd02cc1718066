// The database handle shared by all repositories: one pg-promise instance per URL.
import pgPromise from 'pg-promise';
import type { IDatabase, IMain } from 'pg-promise';

export const pgp: IMain = pgPromise({
  // A broken connection must not crash the process: queries fail, /api/health reports 503.
  error: () => {},
});
// bigint ids and counts as JS numbers (all well below 2^53); numeric stays a string.
pgp.pg.types.setTypeParser(20, (v: string) => Number(v));

export type Db = IDatabase<unknown>;

export function connect(url: string, max = 20): Db {
  return pgp({ connectionString: url, max, application_name: 'misto' });
}
