// The AgentCapability dynamic provider, as a module of its own (see ./module.ts).
import { agentCapability } from "../resources/agentCapability";
import { asModule } from "./module";

export = asModule(agentCapability);
