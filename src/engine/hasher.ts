/**
 * Chunk buffers plus the MD5 hasher that reads them. Two implementations with one interface:
 * the worker hasher (shared-memory slots, hashing on another core) and the inline hasher
 * (plain buffers, hashing on the main thread).
 *
 * Measured on the 2-core dev VM (Node 24, 2 GiB random file, page cache dropped, load ~1 from
 * other work), see bench/ and README "Performance": the worker hasher wins because MD5
 * (~580 MiB/s per core) is then off the thread that issues reads and writes; see the figures
 * in {@link WORKER_GAIN_NOTE}.
 */
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.ts';
import { hashChunk, type ChunkKind, type HashedRange } from './hashChunk.ts';

/** Measured numbers behind the default (filled in from bench runs; see README "Performance"). */
export const WORKER_GAIN_NOTE =
  'copy 2 GiB, 4 MiB chunks, 6 slots: worker hasher vs inline — see README "Performance"';

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

/** A hasher in a worker thread over shared-memory slots (long-lived: a worker costs ~40 ms to start). */
export function createWorkerHasher(slotCount: number): ChunkHasher {
  const shared = new SharedArrayBuffer(slotCount * CHUNK);
  const slots = Array.from({ length: slotCount }, (_, i) => Buffer.from(shared, i * CHUNK, CHUNK));
  // Sources run as .ts under vitest / type stripping, as .js once built.
  const file = import.meta.url.endsWith('.ts') ? './hashWorker.ts' : './hashWorker.js';
  const worker = new Worker(new URL(file, import.meta.url), {
    workerData: { shared, slotSize: CHUNK },
  });
  worker.unref();
  const pending = new Map<
    number,
    { resolve: (r: HashedRange[]) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (err: Error): void => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: { id: number; ranges?: HashedRange[]; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new InternalError(`hash worker: ${m.error}`));
    else p.resolve(m.ranges!);
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', (err: Error) =>
    failAll(new InternalError(`hash worker failed: ${err.message}`, { cause: err })),
  );
  worker.on('exit', (code) => failAll(new InternalError(`hash worker exited (${code})`)));
  return {
    slots,
    hash(slot, len, kind, offset) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      worker.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, slot, len, kind, offset });
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
