import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { userKeys } from "../../api/queryKeys";
import type { operations } from "../../api/schema";
import type { UserInvite, UserRole } from "../../api/types";

export type UserFilter = NonNullable<operations["ApiV1UsersListUsers"]["parameters"]["query"]>;

export function useUsers(filter: UserFilter) {
  return useQuery({
    queryKey: userKeys.list(filter),
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query: filter } })),
  });
}

function useRefreshUsers() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: userKeys.all });
}

/** Invite a user: the answer carries the one-time token for setting a password. */
export function useInviteUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (body: UserInvite) => unwrap(api.POST("/api/v1/users", { body })),
    onSuccess: refresh,
  });
}

export function useChangeRole(userId: string) {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (body: { role: UserRole; vendor_id: string | null }) =>
      unwrap(api.POST("/api/v1/users/{user_id}/role", { params: { path: { user_id: userId } }, body })),
    onSuccess: refresh,
  });
}

export function useDeactivateUser(userId: string) {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/users/{user_id}/deactivate", { params: { path: { user_id: userId } } })),
    onSuccess: refresh,
  });
}

/** A new one-time token for the user to set a password with. */
export function usePasswordToken(userId: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/users/{user_id}/password-token", { params: { path: { user_id: userId } } })),
  });
}
