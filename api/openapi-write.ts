// Regenerates api/openapi.json from the zod contract: `npm run openapi`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApi } from "./openapi";

const out = join(__dirname, "..", "..", "api", "openapi.json");
writeFileSync(out, JSON.stringify(buildOpenApi(), null, 2) + "\n");
console.log(`wrote ${out}`);
