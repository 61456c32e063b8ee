// The spec's parsing and resolution live with the provider (the native provider's AccessPolicy
// component runs the same code); programs import them from here.
export * from "../provider/accessSpec";
