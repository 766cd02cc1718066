import { openDatabase } from '../db/provision.ts';

const db = await openDatabase((m) => console.log(m));
const { count } = await db.one<{ count: number }>('SELECT count(*)::int FROM schema_migration');
console.log(`Database is at ${count} migration(s)`);
await db.$pool.end();
