import { z } from "zod/v4";
import { IdParam, Timestamp, Uuid } from "./common";
import { Name } from "./fields";

export const TeamSchema = z.object({ id: Uuid, name: z.string(), created_at: Timestamp });
export type Team = z.infer<typeof TeamSchema>;

export const CreateTeamSchema = z.strictObject({ name: Name });
export type CreateTeam = z.infer<typeof CreateTeamSchema>;

export const TeamIdParams = z.strictObject({ id: IdParam });
