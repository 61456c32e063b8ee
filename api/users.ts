import { z } from "zod/v4";
import { IdParam, PageQuery, Timestamp, Uuid } from "./common";
import { Email, FilterText, Name } from "./fields";

export const UserSchema = z.object({
  id: Uuid,
  email: z.string(),
  name: z.string(),
  team_ids: z.array(Uuid),
  created_at: Timestamp,
});
export type User = z.infer<typeof UserSchema>;

export const CreateUserSchema = z.strictObject({
  email: Email,
  name: Name,
  team_ids: z.array(IdParam).max(100).default([]),
});
export type CreateUser = z.infer<typeof CreateUserSchema>;

/** Emails match case-insensitively (the filter and uniqueness alike). */
export const UserPageQuery = PageQuery.extend({ email: FilterText.optional() });
export const UserIdParams = z.strictObject({ id: IdParam });
