export * from "./common";
export * from "./capabilities";
export * from "./secrets";
export * from "./teams";
export * from "./users";
export * from "./agents";
export * from "./keys";
export * from "./openapi";
