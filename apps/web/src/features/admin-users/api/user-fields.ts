import { graphql } from '../../../gql';

export const AdminUserFieldsFragment = graphql(`
  fragment AdminUserFields on User {
    id
    email
    emailVerified
    username
    name
    role
    status
    createdAt
    decidedAt
  }
`);
