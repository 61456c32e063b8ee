// The ApiAgent dynamic provider, as a module of its own (see ./module.ts).
import { apiAgentProvider } from "../apiAgent";
import { asModule } from "./module";

export = asModule(apiAgentProvider);
