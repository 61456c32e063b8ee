import { z } from "zod/v4";
import { Name, Timestamp, Uuid } from "./common";

export const TeamSchema = z.object({ id: Uuid, name: z.string(), created_at: Timestamp });
export type Team = z.infer<typeof TeamSchema>;

export const CreateTeamSchema = z.strictObject({ name: Name });
export type CreateTeam = z.infer<typeof CreateTeamSchema>;
