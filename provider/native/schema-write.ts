// Regenerates provider/native/schema.json from the zod schemas: `npm run schema`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema } from "./schema";

const root = join(__dirname, "..", "..", "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const out = join(root, "provider", "native", "schema.json");
writeFileSync(out, JSON.stringify(buildSchema(version), null, 2) + "\n");
console.log(`wrote ${out}`);
