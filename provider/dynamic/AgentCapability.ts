// The AgentCapability dynamic provider, as a module of its own (see ./module.ts).
import { agentCapabilityProvider } from "../agentCapability";
import { asModule } from "./module";

export = asModule(agentCapabilityProvider);
