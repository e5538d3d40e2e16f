import { useMutation, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { Role } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';
import { queryRoots } from '../../../lib/query-keys';

export const ApproveUserMutation = graphql(`
  mutation ApproveUser($id: ID!) {
    approveUser(id: $id) {
      ...AdminUserFields
    }
  }
`);

export const RejectUserMutation = graphql(`
  mutation RejectUser($id: ID!, $reason: String) {
    rejectUser(id: $id, reason: $reason) {
      ...AdminUserFields
    }
  }
`);

export const SetUserRoleMutation = graphql(`
  mutation SetUserRole($id: ID!, $role: Role!) {
    setUserRole(id: $id, role: $role) {
      ...AdminUserFields
    }
  }
`);

export const DisableUserMutation = graphql(`
  mutation DisableUser($id: ID!) {
    disableUser(id: $id) {
      ...AdminUserFields
    }
  }
`);

export const EnableUserMutation = graphql(`
  mutation EnableUser($id: ID!) {
    enableUser(id: $id) {
      ...AdminUserFields
    }
  }
`);

// Every decision can move a user between status lists: refresh them all (and "me", for one's own role).
function useRefreshUsers() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: [queryRoots.users] }),
      queryClient.invalidateQueries({ queryKey: [queryRoots.session] }),
    ]);
}

/** Activates a pending account; the server emails the user. */
export function useApproveUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (id: string) => execute(ApproveUserMutation, { id }).then((data) => data.approveUser),
    onSuccess: refresh,
  });
}

/** Rejects a pending account with an optional reason, which the email to the user quotes. */
export function useRejectUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (input: { id: string; reason: string | null }) => execute(RejectUserMutation, input).then((data) => data.rejectUser),
    onSuccess: refresh,
  });
}

export function useSetUserRole() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (input: { id: string; role: Role }) => execute(SetUserRoleMutation, input).then((data) => data.setUserRole),
    onSuccess: refresh,
  });
}

/** Disables an account at once (its sessions and tokens stop working), or enables it again. */
export function useSetUserEnabled() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      enabled
        ? execute(EnableUserMutation, { id }).then((data) => data.enableUser)
        : execute(DisableUserMutation, { id }).then((data) => data.disableUser),
    onSuccess: refresh,
  });
}
