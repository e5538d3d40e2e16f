import { defineEntity, p } from '@mikro-orm/core';

/** Live graphile-worker workers; a job locked by a worker missing here belongs to a dead process. */
const WorkerHeartbeatSchema = defineEntity({
  name: 'WorkerHeartbeat',
  tableName: 'worker_heartbeats',
  properties: {
    workerId: p.string().primary(),
    processId: p.string(),
    lastSeen: p.datetime(),
  },
});

export class WorkerHeartbeat extends WorkerHeartbeatSchema.class {}
WorkerHeartbeatSchema.setClass(WorkerHeartbeat);
