import type { SpendEstimate } from './estimate';
import type { SpendSubject } from './limits';
import type { ReservePlan } from './plan';

/** Where each cap counter stood right after the reservation (this request's hold included). */
export interface CapState {
  spent: number;
  reserved: number;
  /** Counter generation the hold was made in (a rebuilt counter never loses a hold it did not get). */
  generation: string;
}

/** What a reservation records about its request (kept in Redis for the reaper and reports). */
export interface ReservationMeta {
  id: string;
  requestId: string | null;
  orgId: string;
  workspaceId: string;
  userId: string | null;
  keyId: string;
  tags: readonly string[];
  model: string | null;
  route: string | null;
  decisionId: string | null;
  estimatedUsd: number;
  estimatedTokens: number;
  reservedAt: number;
}

/** Optional request facts recorded with a reservation. */
export interface ReserveContext {
  requestId?: string;
  model?: string;
  route?: string;
  decisionId?: string;
}

/**
 * The hold of one request on every cap, bucket and parallel slot that applies to it. Settle it
 * (real usage) or release it (nothing was consumed) exactly once; a reservation nobody settles is
 * released when its lease runs out.
 */
export class Reservation {
  /** Set once settled or released; later calls are no-ops. */
  finished = false;

  constructor(
    readonly id: string,
    readonly subject: SpendSubject,
    readonly estimate: SpendEstimate,
    readonly reservedAt: number,
    /** False when Redis could not be reached and the guard fails open: nothing was checked or held. */
    readonly verified: boolean,
    /** @internal */ readonly plan: ReservePlan,
    /** @internal */ readonly caps: CapState[],
    /** @internal tokens left in each rate bucket after this request. */
    readonly rateLeft: number[],
    /** @internal requests in flight per parallel limit, this one included. */
    readonly inFlight: number[],
  ) {}
}
