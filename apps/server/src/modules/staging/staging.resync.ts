import type { MikroORM } from '@mikro-orm/postgresql';
import type { PubSub } from '../../lib/pubsub';
import { StagingRequest } from './staging-request.entity';
import { toSnapshot } from './staging.service';

const TOPIC = 'request:updated:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * After the cross-replica pub/sub came back from an outage, sends every request watched here its
 * current state (read from the database), so no subscriber keeps showing a stale or unfinished one.
 */
export async function resyncRequestSubscribers(orm: MikroORM, pubsub: PubSub, topics: readonly string[]): Promise<void> {
  const ids = topics.filter((t) => t.startsWith(TOPIC)).map((t) => t.slice(TOPIC.length)).filter((id) => UUID.test(id));
  if (ids.length === 0) return;
  const requests = await orm.em.fork().find(StagingRequest, { id: { $in: ids } });
  for (const r of requests) pubsub.publish('request:updated', r.id, toSnapshot(r));
}
