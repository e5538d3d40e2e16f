import { LOG_LEVELS, type LogLevel } from '@stagecoach/domain';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import type { LogEvent } from '../../lib/pubsub';

export const LogLevelEnum = Object.fromEntries(LOG_LEVELS.map((l) => [l, l])) as { [K in LogLevel]: K };
registerEnumType(LogLevelEnum, { name: 'LogLevel', description: 'Severity of a log entry.' });

@ObjectType('LogEntry', { description: 'One step of an operation, as shown in the live log.' })
export class LogEntryType {
  @Field(() => ID, { description: 'Identifier; increases with time.' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When it happened.' })
  at!: Date;

  @Field(() => LogLevelEnum, { description: 'Severity.' })
  level!: LogLevel;

  @Field(() => String, { description: 'What happened.' })
  message!: string;

  @Field(() => ID, { nullable: true, description: 'The request it belongs to.' })
  requestId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The file it is about.' })
  fileId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The user it concerns.' })
  userId!: string | null;
}

export const toLogEntry = (e: LogEvent): LogEntryType => Object.assign(new LogEntryType(), { ...e, at: new Date(e.at) });
