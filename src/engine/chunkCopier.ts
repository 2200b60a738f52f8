/**
 * Where a large file's chunks are copied: a pool of worker threads, each with a few 4 MiB
 * chunks in flight (read and write in libuv's threadpool, MD5 on the worker's own thread), or
 * the main thread alone. Block and page-range MD5s are independent per chunk, so chunks of one
 * file are hashed in parallel; the copy is still one pass (each byte read once, hashed and
 * written from the same buffer).
 *
 * With direct I/O there is no read-ahead and no write-behind: only several requests in flight
 * keep the disk busy. Measured on the 2-core dev VM (4 GiB file, page cache dropped, ext4 on
 * virtio, source and target on the same disk, durable at the end; each line one batch of
 * interleaved runs, so compare within a batch: the disk's speed drifts between batches):
 *
 *   buffered, main thread I/O + 2 hash workers (before)     12.2–15.5 s
 *   direct, 2 workers × 1 chunk (sync calls)                 7.5 s     4 × 1: 5.7–7.0 s
 *   direct, 1 worker × 4 chunks                             10.8–11.3 s (one core of MD5: ~620 MiB/s)
 *   direct, 2 workers × 2 / × 3 / × 4 chunks                7.6–8.3 / 6.7–7.1 / 6.2–6.4 s
 *   direct, main thread × 4 chunks (no worker)               7.8–8.6 s  (RSS 130 MiB)
 *   UV_THREADPOOL_SIZE=8 instead of 4                        no clear change
 *   (`cp -r`, not durable: 4.9–18.7 s; `cp -r && sync`: 6.2–8.9 s)
 *
 * Each worker costs ~15 MiB of RSS plus its buffers, so the pool is one worker per core (2–4)
 * and 8 chunks in flight in all: 2 × 4 here, peak RSS 175 MiB for the whole process.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.ts';
import { alignedBuffer } from './alignedBuffer.ts';
import { CHUNK, copyChunk, type ChunkDone, type ChunkJob } from './copyChunk.ts';
import { chunkWorkerEntry } from './chunkWorkerEntry.ts';

/** Copy workers by default: one per core, 2 to 4. */
export const DEFAULT_COPY_WORKERS = Math.min(4, Math.max(2, os.availableParallelism()));

/** Chunks in flight in all, by default (8 × 4 MiB). */
const CHUNKS_IN_FLIGHT = 8;

/** Chunks each worker has in flight by default (8 in all). */
export const DEFAULT_CHUNKS_PER_WORKER = Math.ceil(CHUNKS_IN_FLIGHT / DEFAULT_COPY_WORKERS);

/** Copies chunks; at most {@link concurrency} at once. */
export interface ChunkCopier {
  /** How many chunks it copies at once: the caller keeps that many in flight. */
  readonly concurrency: number;
  /** Copies one chunk. Rejects with the fs error (its `code` kept) or an InternalError. */
  copy(job: ChunkJob): Promise<ChunkDone>;
  /** Stops the workers, if any. */
  close(): Promise<void>;
}

/** Copies on the main thread, `inFlight` chunks at once (for comparisons and tests). */
export function createInlineCopier(inFlight = DEFAULT_CHUNKS_PER_WORKER): ChunkCopier {
  const free: Buffer[] = [];
  let made = 0;
  return {
    concurrency: inFlight,
    async copy(job) {
      const buf = free.pop() ?? (made++ < inFlight ? alignedBuffer(CHUNK) : undefined);
      if (!buf) throw new InternalError(`more than ${inFlight} chunks in flight`);
      try {
        return await copyChunk(buf, job);
      } finally {
        free.push(buf);
      }
    },
    close: async () => {},
  };
}

/** An fs error from a worker, rebuilt with its code so ENOSPC and EINVAL are recognised. */
function workerError(e: { message: string; code?: string }): Error {
  if (e.code === undefined) return new InternalError(`copy worker: ${e.message}`);
  return Object.assign(new Error(e.message), { code: e.code });
}

/**
 * A pool of `count` copy workers, each with `perWorker` chunks in flight. A chunk goes to the
 * least busy worker; more chunks than the pool takes wait in a queue. Workers start with the
 * first chunk, live until {@link ChunkCopier.close} (~40 ms to start one), and do not keep the
 * process alive while idle.
 */
export function createWorkerCopier(
  count = DEFAULT_COPY_WORKERS,
  perWorker = DEFAULT_CHUNKS_PER_WORKER,
): ChunkCopier {
  const entry = chunkWorkerEntry();
  type Pending = { job: ChunkJob; resolve: (d: ChunkDone) => void; reject: (e: Error) => void };
  const queue: Pending[] = [];
  const pending = new Map<number, Pending>();
  const load: number[] = [];
  let nextId = 0;
  let dead: Error | undefined;
  const fail = (err: Error): void => {
    dead ??= err;
    for (const p of [...pending.values(), ...queue]) p.reject(dead);
    pending.clear();
    queue.length = 0;
  };
  const dispatch = (): void => {
    while (queue.length > 0) {
      let w = 0;
      for (let i = 1; i < workers.length; i++) if (load[i]! < load[w]!) w = i;
      if (load[w]! >= perWorker) return;
      const p = queue.shift()!;
      const id = nextId++;
      pending.set(id, p);
      if (load[w]!++ === 0) workers[w]!.ref();
      workers[w]!.postMessage({ id, job: p.job });
    }
  };
  const size = Math.max(1, count);
  const workers: Worker[] = [];
  // Started with the first chunk: a job of small files only never pays for them (~15 MiB each).
  const start = (): void => {
    for (let w = 0; w < size; w++) workers.push(startWorker(w));
  };
  const startWorker = (w: number): Worker => {
    const worker = new Worker(entry.script, { ...entry.options, workerData: { perWorker } });
    load.push(0);
    worker.unref();
    worker.on(
      'message',
      (m: { id: number; done?: ChunkDone; error?: { message: string; code?: string } }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (--load[w]! === 0) worker.unref();
        if (m.error !== undefined) p.reject(workerError(m.error));
        else p.resolve(m.done!);
        dispatch();
      },
    );
    worker.on('error', (err: Error) =>
      fail(new InternalError(`copy worker failed: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) => fail(new InternalError(`copy worker exited (${code})`)));
    return worker;
  };
  return {
    concurrency: size * perWorker,
    copy(job) {
      if (dead) return Promise.reject(dead);
      if (workers.length === 0) start();
      return new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/**
 * A view of `copier` for one of `drives` drives filled at once: it keeps its share of the
 * chunks in flight. Without it the first drives' files fill the copier's queue and the others
 * wait behind them (4 throttled drives took as long as 2); with it every drive always has
 * chunks being written.
 */
export function chunkShare(copier: ChunkCopier, drives: number): ChunkCopier {
  if (drives <= 1) return copier;
  return {
    concurrency: Math.max(1, Math.floor(copier.concurrency / drives)),
    copy: (job) => copier.copy(job),
    // The copier is the session's: closed once, by it.
    close: async () => {},
  };
}
