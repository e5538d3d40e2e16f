import { defineEntity, p } from '@mikro-orm/core';

/**
 * Browser sessions, read and written by connect-pg-simple (its documented table shape: sid, sess,
 * expire). Declared as an entity only so that the table comes from a reviewed migration instead of
 * `createTableIfMissing` at run time; the application never loads it through the ORM.
 */
const HttpSessionSchema = defineEntity({
  name: 'HttpSession',
  tableName: 'http_sessions',
  properties: {
    sid: p.string().primary(),
    sess: p.json<Record<string, unknown>>(),
    expire: p.datetime().index(),
  },
});

export class HttpSession extends HttpSessionSchema.class {}
HttpSessionSchema.setClass(HttpSession);
