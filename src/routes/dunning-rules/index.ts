import type { Router } from "../../lib/openapi";
import { registerCreateDunningRule } from "./create";
import { registerDeleteDunningRule } from "./delete";
import { registerListDunningRules } from "./list";
import { registerUpdateDunningRule } from "./update";

export function registerDunningRuleRoutes(app: Router) {
  registerListDunningRules(app);
  registerCreateDunningRule(app);
  registerUpdateDunningRule(app);
  registerDeleteDunningRule(app);
}
