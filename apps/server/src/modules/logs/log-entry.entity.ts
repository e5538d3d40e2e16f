import { defineEntity, p } from '@mikro-orm/core';
import { LOG_LEVELS } from '@stagecoach/domain';

/**
 * A product log line (what the live log viewer shows): data, not a pino line. Plain ids rather
 * than relations: entries are written in bulk by workers and must not load their owners.
 */
const LogEntrySchema = defineEntity({
  name: 'LogEntry',
  tableName: 'log_entries',
  properties: {
    /** bigserial: insertion order is the display order and the cursor. */
    id: p.bigint('string').primary().autoincrement(),
    at: p.datetime().onCreate(() => new Date()),
    level: p.enum(LOG_LEVELS),
    message: p.text(),
    requestId: p.uuid().nullable(),
    fileId: p.uuid().nullable(),
    userId: p.uuid().nullable(),
    fields: p.json<Record<string, unknown>>().nullable(),
  },
  indexes: [{ properties: ['requestId', 'id'] }, { properties: ['userId', 'id'] }],
});

export class LogEntry extends LogEntrySchema.class {}
LogEntrySchema.setClass(LogEntry);
