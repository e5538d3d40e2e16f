/**
 * Large transfer buffers (S3 parts, Jupyter chunks) handed from one transfer to the next.
 *
 * A buffer that lives through a whole transfer ends up in V8's old generation, and only a full GC
 * frees it; a transfer allocates next to nothing on the JS heap, so that GC may not come before the
 * next transfer allocates its own buffers beside the dead ones. Measured: back-to-back 1 GiB S3
 * uploads grew RSS by 70, then 140 MB; each 200 MiB Jupyter upload added its 10 MB again.
 *
 * The spares are only weakly held: the GC still frees them whenever it runs, this merely lets the
 * next transfer take them first. Give a buffer back only once nothing can still be reading it
 * (not after a failed request, whose socket may not be done with it).
 */
/** Module-wide on purpose: a pool helps only when every download of the process draws from the same one. */
const spares = new Map<number, WeakRef<Buffer>[]>();
const MAX_SPARES_PER_SIZE = 16;

/** A buffer of exactly `size` bytes, uninitialised: a spare of that size when one is still alive. */
export function takeBuffer(size: number): Buffer {
  const list = spares.get(size);
  while (list && list.length > 0) {
    const buf = list.pop()!.deref();
    if (buf) return buf;
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Offers `buf` to the next `takeBuffer` of its size; the caller must not use it any more. */
export function giveBackBuffer(buf: Buffer): void {
  let list = spares.get(buf.length);
  if (!list) spares.set(buf.length, (list = []));
  if (list.length < MAX_SPARES_PER_SIZE) list.push(new WeakRef(buf));
}
