// Wires repositories and services once per process. Each service gets only what it uses.
import type { Db } from './db/db.ts';
import { config as defaultConfig } from './config.ts';
import { authRepo } from './auth/auth.repo.ts';
import { authService } from './auth/auth.service.ts';
import { cityRepo } from './city/city.repo.ts';

export type Config = typeof defaultConfig;

export function createServices(db: Db, config: Config = defaultConfig) {
  return {
    db,
    config,
    auth: authService(authRepo(db), { sessionDays: config.sessionDays }),
    city: cityRepo(db),
  };
}
export type Services = ReturnType<typeof createServices>;
