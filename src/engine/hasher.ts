/**
 * Chunk buffers plus the MD5 hasher that reads them. Two implementations with one interface:
 * the worker hasher (shared-memory slots, MD5 on other cores) and the inline hasher (plain
 * buffers, MD5 on the main thread).
 *
 * Measured on the 2-core dev VM (AMD EPYC, Node 24.21, ext4 on virtio), copyFile of a 1 GiB
 * random file, source in the page cache, final fdatasync included, 4 interleaved rounds, load
 * average ~3.3 from other engineers' work (so absolute numbers are low and noisy):
 *
 *   hasher                       median    best
 *   inline (main thread)         464       477 MiB/s
 *   1 worker, 6 slots            508       512 MiB/s
 *   2 workers, 6 slots           696       723 MiB/s   ← default on 2 cores
 *   2 workers, 10 slots          295       619 MiB/s   (more slots: more page-cache churn)
 *
 * Block / page-range MD5s are independent per 4 MiB chunk, so two workers hash two chunks at
 * once while the main thread only issues reads and writes.
 *
 * End to end (the built CLI, 4 GiB file, page cache dropped, `npm run bench`), the hashers
 * were within the noise of each other on this shared 2-core VM: 168 / 194 / 180 / 192 MiB/s
 * (default / inline / 1 / 2 workers) in one run, 237 / 315 / 312 / 349 MiB/s in another. The
 * kernel's copy work needs the same two cores; with more cores, the workers are what scales.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.ts';
import { hashChunk, type ChunkKind, type HashedRange } from './hashChunk.ts';

/** Hash workers by default: one per core, 2 to 4 (measured best on 2 cores; more is unmeasured). */
export const DEFAULT_HASH_WORKERS = Math.min(4, Math.max(2, os.availableParallelism()));

/** Size of one chunk: the largest block/page range the manifest allows (4 MiB). */
export const CHUNK = 4 * 1024 * 1024;

/** Chunk buffers and the hasher that reads them. */
export interface ChunkHasher {
  /** One buffer per slot, each {@link CHUNK} bytes. */
  readonly slots: readonly Buffer[];
  /** Hashes `slots[slot][0, len)` which sits at `fileOffset` in its file. */
  hash(slot: number, len: number, kind: ChunkKind, fileOffset: number): Promise<HashedRange[]>;
  /** Stops the worker, if any. */
  close(): Promise<void>;
}

/** A hasher on the main thread: no worker, plain buffers. */
export function createInlineHasher(slotCount: number): ChunkHasher {
  const slots = Array.from({ length: slotCount }, () => Buffer.allocUnsafeSlow(CHUNK));
  return {
    slots,
    hash: async (slot, len, kind, offset) => hashChunk(slots[slot]!, len, kind, offset),
    close: async () => {},
  };
}

/**
 * A hasher in worker threads over shared-memory slots. Block and page-range MD5s are
 * independent per chunk, so several workers can hash different chunks at once; each job goes
 * to the worker with the fewest jobs pending. Workers are long-lived (~40 ms to start one).
 */
export function createWorkerHasher(slotCount: number, workerCount = 1): ChunkHasher {
  const shared = new SharedArrayBuffer(slotCount * CHUNK);
  const slots = Array.from({ length: slotCount }, (_, i) => Buffer.from(shared, i * CHUNK, CHUNK));
  // Sources run as .ts under vitest / type stripping, as .js once built.
  const file = import.meta.url.endsWith('.ts') ? './hashWorker.ts' : './hashWorker.js';
  const pending = new Map<
    number,
    { resolve: (r: HashedRange[]) => void; reject: (e: Error) => void; w: number }
  >();
  const load: number[] = [];
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (err: Error): void => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const workers = Array.from({ length: Math.max(1, workerCount) }, (_, w) => {
    const worker = new Worker(new URL(file, import.meta.url), {
      workerData: { shared, slotSize: CHUNK },
    });
    load.push(0);
    worker.unref();
    worker.on('message', (m: { id: number; ranges?: HashedRange[]; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      load[w]!--;
      if (m.error !== undefined) p.reject(new InternalError(`hash worker: ${m.error}`));
      else p.resolve(m.ranges!);
      if (load[w] === 0) worker.unref();
    });
    worker.on('error', (err: Error) =>
      failAll(new InternalError(`hash worker failed: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) => failAll(new InternalError(`hash worker exited (${code})`)));
    return worker;
  });
  return {
    slots,
    hash(slot, len, kind, offset) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      let w = 0;
      for (let i = 1; i < workers.length; i++) if (load[i]! < load[w]!) w = i;
      load[w]!++;
      workers[w]!.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, w });
        workers[w]!.postMessage({ id, slot, len, kind, offset });
      });
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
