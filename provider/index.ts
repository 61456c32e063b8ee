// The engine-side library as the program's process uses it (lookups, config, the client). The
// resource providers themselves are the modules `pulumi-writer/dynamic/<Type>` (./dynamic/).
export * from "./lookups";
export { resolveConfig, setStackConfig } from "./config";
export { AdminClient, client } from "./client";
export * from "./errors";
