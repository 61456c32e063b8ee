// The ApiAgent dynamic provider, as a module of its own (see ./module.ts).
import { apiAgent } from "../resources/apiAgent";
import { asModule } from "./module";

export = asModule(apiAgent);
