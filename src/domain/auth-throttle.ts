/**
 * The contract of the AuthThrottle Durable Object (one per bucket of failed authentications):
 * here so that the object and the services that name its rules import it, not each other.
 */

export interface ThrottleRule {
  /** Failures allowed per window; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowSeconds: number;
}

export interface ThrottleState {
  /** True while the bucket has used up its failures: every attempt is refused, right or wrong. */
  blocked: boolean;
  /** Seconds until the window ends and attempts are taken again (0 when not blocked). */
  retryAfterSeconds: number;
}
