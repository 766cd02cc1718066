// npm run db:start | db:stop — the project-local PostgreSQL cluster.
import { projectCluster } from '../config.ts';
import { startCluster, stopCluster } from '../db/cluster.ts';

const cmd = process.argv[2];
const opts = { ...projectCluster(), log: console.log };
if (cmd === 'start') console.log(startCluster(opts).replace(/:[^:@/]+@/, ':***@'));
else if (cmd === 'stop') stopCluster(opts);
else { console.error('usage: db.ts start|stop'); process.exit(2); }
