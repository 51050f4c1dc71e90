import { validConfigurationsPass } from "./support/validConfigurations";

describe("properties: generated valid configurations", () => validConfigurationsPass(0, 2));
