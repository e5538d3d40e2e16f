import { DateTimeResolver } from 'graphql-scalars';

/** ISO-8601 `DateTime` for every `Date` field. */
export const DateTimeScalar = DateTimeResolver;
