// The tenant filters live in db/tenancy.ts, shared with the projection and the PaymentIntent
// object (which must not import services); services keep importing them from here.
export * from "../db/tenancy";
