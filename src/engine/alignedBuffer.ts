/**
 * Page-aligned buffers for direct (unbuffered) I/O. `O_DIRECT` needs the buffer address, the
 * file offset and the length aligned to the device's logical block (4096 covers every disk);
 * a Buffer from `Buffer.alloc*` comes from malloc and is only 16-byte aligned, so direct reads
 * into it fail with EINVAL. A WebAssembly memory is mapped by V8 straight from the OS page
 * allocator, so its first byte is page-aligned.
 */

// The WebAssembly global exists in every Node; the TypeScript lib here (ES2023, no DOM) lacks it.
declare const WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };

/** Alignment of direct I/O: addresses, offsets and lengths are multiples of this. */
export const DIRECT_ALIGN = 4096;

/** Rounds `n` up to a multiple of {@link DIRECT_ALIGN}. */
export function alignUp(n: number): number {
  return Math.ceil(n / DIRECT_ALIGN) * DIRECT_ALIGN;
}

/** A zero-filled buffer of `size` bytes whose first byte is page-aligned. */
export function alignedBuffer(size: number): Buffer {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(size / 65536)) });
  return Buffer.from(memory.buffer, 0, size);
}
