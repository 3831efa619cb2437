import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from "openapi-fetch";
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from "openapi-typescript-helpers";
import { PaiementsError } from "./errors.js";
import type { paths } from "./schema.js";
import { apiKeyCredentials, clientCredentials, retryPolicy, transport, type Credentials, type RetryOptions, type RetryPolicy } from "./transport.js";

interface CommonOptions {
  /** The API's origin, e.g. `http://127.0.0.1:8787` (no `/v1`: paths carry it). */
  baseUrl: string;
  /** The organization every call acts for (`X-Entity-Id`), unless a call names another. */
  entityId?: string;
  retry?: RetryOptions;
  /** A fetch to use instead of the global one (a proxy, a test double). */
  fetch?: typeof globalThis.fetch;
}

export interface ClientCredentialsAuth extends CommonOptions {
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for (default `partner`). */
  scope?: string;
  /** Refresh the token this many seconds before it expires (default 60). */
  tokenRefreshMarginSeconds?: number;
}

export interface ApiKeyAuth extends CommonOptions {
  /** A secret key (`sk_test_…`, `sk_live_…`), or an access token you obtained yourself. */
  apiKey: string;
}

export type PaiementsOptions = ClientCredentialsAuth | ApiKeyAuth;

type Media = MediaType;
/** The second argument of a call: typed params, body and headers of that operation (openapi-fetch's). */
type Init<P extends keyof paths, M extends HttpMethod> = MaybeOptionalInit<paths[P], M>;
type InitArg<I> = RequiredKeysOf<I> extends never ? [(I & { [key: string]: unknown })?] : [I & { [key: string]: unknown }];
/** What a successful call answers (its 2xx body). */
export type ResponseData<P extends keyof paths, M extends HttpMethod, I = {}> = NonNullable<FetchResponse<paths[P][M] & Record<string | number, any>, I, Media>["data"]>;

/** The GET paths that answer a page: `{ data: [...], pagination: {...} }`. */
export type ListPath = {
  [P in PathsWithMethod<paths, "get">]: ResponseData<P, "get"> extends { data: unknown[]; pagination: unknown } ? P : never;
}[PathsWithMethod<paths, "get">];
/** One item of a list path's pages. */
export type ListItem<P extends ListPath> = ResponseData<P, "get"> extends { data: (infer T)[] } ? T : never;

/**
 * The Paiements API client. `api` is the plain openapi-fetch client (answers `{data, error,
 * response}`); `get`/`post`/`patch`/`delete` answer the data and throw a PaiementsError; `list`
 * walks every page. All of them share the credentials, retries and idempotency keys.
 *
 *     const pay = new Paiements({ baseUrl, clientId, clientSecret });
 *     const org = await pay.post("/v1/organizations", { body: { type: "company", name: "Acme", … } });
 *     for await (const invoice of pay.withEntity(org.id).list("/v1/invoices")) …
 */
export class Paiements {
  readonly api: Client<paths, Media>;
  readonly entityId: string | undefined;
  readonly #options: PaiementsOptions;
  readonly #credentials: Credentials;
  readonly #retry: RetryPolicy;

  constructor(options: PaiementsOptions, shared?: { credentials: Credentials }) {
    this.#options = options;
    this.entityId = options.entityId;
    this.#retry = retryPolicy(options.retry);
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#credentials =
      shared?.credentials ??
      ("apiKey" in options
        ? apiKeyCredentials(options.apiKey)
        : clientCredentials({
            baseUrl: options.baseUrl,
            clientId: options.clientId,
            clientSecret: options.clientSecret,
            scope: options.scope,
            refreshMarginSeconds: options.tokenRefreshMarginSeconds,
            retry: this.#retry,
            fetch: fetchImpl,
          }));
    this.api = createClient<paths, Media>({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      fetch: transport({ credentials: this.#credentials, entityId: options.entityId, retry: this.#retry, fetch: fetchImpl }),
    });
  }

  /** The same client (same token, same retries) acting for another organization (`X-Entity-Id`). */
  withEntity(entityId: string): Paiements {
    return new Paiements({ ...this.#options, entityId }, { credentials: this.#credentials });
  }

  get<P extends PathsWithMethod<paths, "get">, I extends Init<P, "get">>(path: P, ...init: InitArg<I>): Promise<ResponseData<P, "get", I>> {
    return unwrap(this.api.GET(path as never, ...(init as [never])));
  }

  /** A POST; it carries an Idempotency-Key (yours, as `params.header["idempotency-key"]` or `headers`, or a fresh one) reused by its retries. */
  post<P extends PathsWithMethod<paths, "post">, I extends Init<P, "post">>(path: P, ...init: InitArg<I>): Promise<ResponseData<P, "post", I>> {
    return unwrap(this.api.POST(path as never, ...(init as [never])));
  }

  patch<P extends PathsWithMethod<paths, "patch">, I extends Init<P, "patch">>(path: P, ...init: InitArg<I>): Promise<ResponseData<P, "patch", I>> {
    return unwrap(this.api.PATCH(path as never, ...(init as [never])));
  }

  delete<P extends PathsWithMethod<paths, "delete">, I extends Init<P, "delete">>(path: P, ...init: InitArg<I>): Promise<ResponseData<P, "delete", I>> {
    return unwrap(this.api.DELETE(path as never, ...(init as [never])));
  }

  /**
   * Every item of a list, page after page (`page`, `page_size` up to 100; it stops after
   * `pagination.total_pages`). Lists are newest first and paged by offset, so an object created
   * while you iterate pushes older ones down a page: items already yielded (same `id`) are
   * skipped rather than yielded twice.
   */
  async *list<P extends ListPath, I extends Init<P, "get">>(path: P, ...init: InitArg<I>): AsyncGenerator<ListItem<P>, void, undefined> {
    const options = (init[0] ?? {}) as { params?: { query?: Record<string, unknown> } };
    const query: Record<string, unknown> = { page_size: 100, ...options.params?.query };
    let page = typeof query.page === "number" ? query.page : 1;
    const seen = new Set<unknown>();
    for (;;) {
      const body = (await this.get(path as never, { ...options, params: { ...options.params, query: { ...query, page } } } as never)) as {
        data: ListItem<P>[];
        pagination?: { total_pages?: number };
      };
      for (const item of body.data) {
        const id = (item as { id?: unknown }).id;
        if (id !== undefined) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        yield item;
      }
      if (body.data.length === 0 || page >= (body.pagination?.total_pages ?? page)) return;
      page++;
    }
  }
}

async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (!response.ok) throw PaiementsError.fromResponse(response, error);
  return data as NonNullable<T>;
}
