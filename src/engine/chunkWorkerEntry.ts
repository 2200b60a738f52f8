/**
 * Where a copy worker's code comes from. From sources or dist/ it is the file next to this one
 * (chunkWorker.ts under vitest / type stripping, chunkWorker.js once built). Inside the single
 * executable (scripts/package.mjs) there is no file to point at: the bundler defines
 * DISKPREP_CHUNK_WORKER_SOURCE as the worker's own one-file bundle, which the worker runs as code.
 */
import type { WorkerOptions } from 'node:worker_threads';

// Defined only by the executable's bundler; `typeof` keeps an undefined global from throwing.
declare const DISKPREP_CHUNK_WORKER_SOURCE: string | undefined;

/** What `new Worker(entry.script, { ...entry.options, workerData })` needs for a copy worker. */
export interface ChunkWorkerEntry {
  script: string | URL;
  options: Pick<WorkerOptions, 'eval'>;
}

/** The copy worker's script: the embedded bundle in the executable, else the file beside this one. */
export function chunkWorkerEntry(): ChunkWorkerEntry {
  if (typeof DISKPREP_CHUNK_WORKER_SOURCE === 'string') {
    return { script: DISKPREP_CHUNK_WORKER_SOURCE, options: { eval: true } };
  }
  const file = import.meta.url.endsWith('.ts') ? './chunkWorker.ts' : './chunkWorker.js';
  return { script: new URL(file, import.meta.url), options: {} };
}
