// The ApiKey dynamic provider, as a module of its own (see ./module.ts).
import { apiKeyProvider } from "../apiKey";
import { asModule } from "./module";

export = asModule(apiKeyProvider);
