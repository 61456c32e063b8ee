import { z } from "zod/v4";
import { Name, Timestamp, Uuid } from "./common";

export const UserSchema = z.object({
  id: Uuid,
  email: z.string(),
  name: z.string(),
  team_ids: z.array(Uuid),
  created_at: Timestamp,
});
export type User = z.infer<typeof UserSchema>;

export const CreateUserSchema = z.strictObject({
  email: z.email("must be an email address").max(320),
  name: Name,
  team_ids: z.array(Uuid).max(100).default([]),
});
export type CreateUser = z.infer<typeof CreateUserSchema>;

export const UserListQuery = z.strictObject({ email: z.string().max(320).optional() });
