/**
 * The hash worker: hashes chunks that the main thread has read into shared memory slots,
 * while the main thread's writes of the same slots run in libuv's threadpool. Both sides only
 * read the slot, so sharing is safe; the main thread reuses a slot only after both finished.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashChunk, type ChunkKind } from './hashChunk.ts';

interface Job {
  id: number;
  slot: number;
  len: number;
  kind: ChunkKind;
  offset: number;
}

const { shared, slotSize } = workerData as { shared: SharedArrayBuffer; slotSize: number };
parentPort!.on('message', (job: Job) => {
  const view = new Uint8Array(shared, job.slot * slotSize, job.len);
  try {
    parentPort!.postMessage({ id: job.id, ranges: hashChunk(view, job.len, job.kind, job.offset) });
  } catch (err) {
    parentPort!.postMessage({
      id: job.id,
      error: err instanceof Error ? err.message : String(err),
    });
  }
});
