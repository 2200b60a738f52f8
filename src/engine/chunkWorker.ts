/**
 * A copy worker: copies the chunks it is sent (read, MD5, write), up to `perWorker` at once,
 * each through its own page-aligned buffer. See chunkCopier.ts for why.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { alignedBuffer } from './alignedBuffer.ts';
import { CHUNK, copyChunk, type ChunkJob } from './copyChunk.ts';

const { perWorker } = workerData as { perWorker: number };
const free = Array.from({ length: perWorker }, () => alignedBuffer(CHUNK));
parentPort!.on('message', ({ id, job }: { id: number; job: ChunkJob }) => {
  // The pool never sends more than perWorker jobs at once, so a buffer is always free.
  const buf = free.pop()!;
  copyChunk(buf, job).then(
    (done) => {
      free.push(buf);
      parentPort!.postMessage({ id, done });
    },
    (err: unknown) => {
      free.push(buf);
      const e = err as NodeJS.ErrnoException;
      parentPort!.postMessage({
        id,
        error: { message: e instanceof Error ? e.message : String(e), code: e?.code },
      });
    },
  );
});
