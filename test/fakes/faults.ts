/**
 * Fault injection shared by the loopback fakes: a queue of faults, each matching a request by
 * method and path and firing once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One injected fault. */
export type Fault = {
  method?: string;
  /** Substring of the path. */
  path?: string;
  /**
   * `before`: the fault replaces the request (it never reaches the service logic).
   * `after`: the service applies the request, then the answer is lost / delayed / replaced.
   */
  when?: 'before' | 'after';
  /** Substring of the request body (tells apart two PATCHes of one job). */
  bodyContains?: string;
} & (
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
);

/** A queue of faults; `take` removes and returns the first that matches. */
export class FaultQueue {
  private readonly faults: Fault[] = [];

  add(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  take(method: string, path: string, when: 'before' | 'after', body = ''): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.when ?? 'before') === when &&
        (!f.method || f.method === method) &&
        (!f.path || path.includes(f.path)) &&
        (!f.bodyContains || body.includes(f.bodyContains)),
    );
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0];
  }

  get pending(): number {
    return this.faults.length;
  }
}

/**
 * Applies a fault to a response. Returns true when the response is finished (or abandoned) and
 * the caller must not answer; for `delay` it waits and returns false (answer normally, late).
 */
export async function applyFault(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  switch (fault.kind) {
    case 'reset':
      req.socket.destroy();
      return true;
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      return false;
    case 'status': {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end(
        JSON.stringify(
          fault.body ?? {
            error: { code: `Http${fault.status}`, message: `injected fault ${fault.status}` },
          },
        ),
      );
      return true;
    }
  }
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
