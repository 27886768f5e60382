/** Messages between the chaos suite and its gateway child (see gateway-child.ts). */
export interface ProbeReply {
  type: 'probe';
  /** After full garbage collections. */
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** Data-plane requests the gateway is still serving. */
  inflight: number;
  auditAvailable: boolean;
  audit: { enqueued: number; spooled: number; replayed: number; lost: number } | null;
}

export type ChildReply = { type: 'ready'; url: string } | { type: 'error'; message: string } | ProbeReply;

export type ParentRequest = { type: 'probe' } | { type: 'shutdown' };
