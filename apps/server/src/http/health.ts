import { Router } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { pendingMigrationCount } from '../db/database';

/** `/healthz`: the process answers. `/readyz`: the database answers and every migration is applied. */
export function healthRoutes(orm: MikroORM): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrationCount(orm);
      if (pending > 0) {
        res.status(503).json({ status: 'migrating', pendingMigrations: pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  return router;
}
