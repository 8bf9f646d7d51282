/**
 * The unit result list of the structured kernels (docs/selection.md, "Structured methods"): the kept
 * unit numbers of the last structured kernel, ascending, next to the element-level result area of
 * util/scratch.ts. Also the structured kernels' own scratch: one u32 key per unit and the lane
 * accumulators of the scoring pass. Buffers grow geometrically and are kept between calls.
 */

/** Kept unit numbers (u32, ascending). Valid after a structured kernel, until the next one. */
export let unitPtr: usize = 0;
/** Number of kept units written by the last structured kernel (0 for N:M). */
export let unitCount: u32 = 0;
let unitCap: u32 = 0;

/** Makes room for `cap` unit numbers and clears the list. */
export function unitReserve(cap: u32): void {
  if (cap > unitCap) {
    if (unitPtr) heap.free(unitPtr);
    unitCap = max<u32>(cap, 256);
    unitPtr = heap.alloc(<usize>unitCap << 2);
  }
  unitCount = 0;
}

/** Appends one unit number (capacity must have been reserved). */
// @ts-ignore: decorator
@inline export function unitPush(u: u32): void {
  store<u32>(unitPtr + (<usize>unitCount << 2), u);
  unitCount++;
}

/** Unit number j of the list. */
// @ts-ignore: decorator
@inline export function unitAt(j: u32): u32 {
  return load<u32>(unitPtr + (<usize>j << 2));
}

/** The unit key scratch: after a rectangle kernel, one score key per unit (see sg_unit_scores). */
export let keyPtr: usize = 0;
let keyCap: u32 = 0;

/** A u32 scratch array of at least `n` unit keys (contents undefined). */
export function unitKeys(n: u32): usize {
  if (n > keyCap) {
    if (keyPtr) heap.free(keyPtr);
    keyCap = max<u32>(n, 256);
    keyPtr = heap.alloc(<usize>keyCap << 2);
  }
  return keyPtr;
}

let lanePtr: usize = 0;
let laneCap: u32 = 0;

/** A zeroed scratch array of `n` 32-bit lane accumulators, 16-byte aligned. */
export function unitLanes(n: u32): usize {
  if (n > laneCap) {
    if (lanePtr) heap.free(lanePtr);
    laneCap = max<u32>(n, 256);
    lanePtr = heap.alloc(<usize>laneCap << 2);
  }
  memory.fill(lanePtr, 0, <usize>n << 2);
  return lanePtr;
}
