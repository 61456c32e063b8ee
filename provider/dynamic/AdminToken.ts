// The AdminToken dynamic provider, as a module of its own (see ./module.ts).
import { adminToken } from "../resources/adminToken";
import { asModule } from "./module";

export = asModule(adminToken);
