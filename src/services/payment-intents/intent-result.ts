import type { Refusal } from "../../domain/payment-intent-rpc";
import { BusinessRule, Conflict, IdempotencyKeyReused, NotFound, ValidationError } from "../../lib/errors";

/**
 * How a caller names what a refusal is about: the resource a 404 stands for (an intent, a link, a
 * refund, named by the caller's own id and parameter) and the field to point at for the other kinds.
 */
export interface RefusalContext {
  notFound: { resource: string; id: string; param?: string };
  /** The field a refusal of each kind is about, when there is one. */
  param?: { invalid?: string; conflict?: string; rule?: string };
}

/**
 * A PaymentIntent object's answer, as the caller's result or a domain error: the one mapping from
 * the object's refusals (values, across RPC) to the errors services throw.
 */
export function unwrapIntentResult<T extends { ok: true }>(result: T | Refusal, on: RefusalContext): T {
  if (result.ok) return result;
  switch (result.status) {
    case 404:
      throw new NotFound(on.notFound.resource, on.notFound.id, on.notFound.param);
    case 409:
      throw new Conflict(result.message, result.code, on.param?.conflict);
    case 422:
      if (result.code === "idempotency_key_reused") throw new IdempotencyKeyReused(result.message);
      throw new BusinessRule(result.message, result.code, on.param?.rule);
    case 400:
      throw new ValidationError(result.message, on.param?.invalid, result.code);
  }
}
