// The ApiKey dynamic provider, as a module of its own (see ./module.ts).
import { apiKey } from "../resources/apiKey";
import { asModule } from "./module";

export = asModule(apiKey);
