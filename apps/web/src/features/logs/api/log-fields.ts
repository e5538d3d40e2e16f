import { graphql } from '../../../gql';

export const LogEntryFieldsFragment = graphql(`
  fragment LogEntryFields on LogEntry {
    id
    at
    level
    message
    requestId
    fileId
    userId
  }
`);
