/**
 * Limits of the import service and the manifest format (reference/azure-importexport.md §2.1,
 * §3.2), checked before any byte is copied.
 */
import { CHUNK } from './copyChunk.ts';
import { PAGE } from './pageRanges.ts';

/** A block blob has at most 50,000 blocks of at most 4 MiB: 195.3 GiB (about 200 GB). */
export const MAX_BLOCK_BLOB = 50_000 * CHUNK;
/** A page blob is at most 1 TiB in the import service. */
export const MAX_PAGE_BLOB = 1024 ** 4;

/** Why a file cannot be imported as `kind`, or undefined when it can. */
export function blobProblem(
  relPath: string,
  size: number,
  kind: 'page' | 'block',
): string | undefined {
  if (kind === 'page') {
    if (size % PAGE !== 0)
      return `${relPath}: ${size} bytes is not a multiple of 512, which a page blob must be (pad it, or import it as a block blob with --blob-type block)`;
    if (size > MAX_PAGE_BLOB) return `${relPath}: ${size} bytes is over the 1 TiB page-blob limit`;
  } else if (size > MAX_BLOCK_BLOB) {
    return `${relPath}: ${size} bytes is over the block-blob limit of 50,000 blocks of 4 MiB (${MAX_BLOCK_BLOB} bytes, about 200 GB); blocks cannot be larger in a drive manifest, so split the file`;
  }
  return undefined;
}
