import type { Router } from "../../lib/openapi";
import { registerCreateBankAccount } from "./create";
import { registerDeleteBankAccount } from "./delete";
import { registerGetBankAccount } from "./get";
import { registerListBankAccounts } from "./list";

export function registerBankAccountRoutes(app: Router) {
  registerListBankAccounts(app);
  registerCreateBankAccount(app);
  registerGetBankAccount(app);
  registerDeleteBankAccount(app);
}
