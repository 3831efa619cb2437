import type { Context, Hono } from "hono";
import type { AppEnv } from "../env";
import type { Lang } from "./i18n";

/** The payment pages' request: the app's variables, plus the response's style nonce and language. */
export type PageEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { nonce: string; lang: Lang };
};
export type PageContext = Context<PageEnv>;
export type PageApp = Hono<PageEnv>;
