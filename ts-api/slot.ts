/** The per-tensor buffers of a compressor in Wasm memory, and a step's pending mask. */

/** One tensor's buffers (pointers into Wasm memory) and learned-mask state. */
export interface Slot {
  name: string;
  id: number;
  length: number;
  /** Input buffer (becomes the residual after a successful step with error feedback). */
  s: number;
  /** Residual buffer; 0 without error feedback. */
  r: number;
  /** Momentum and its next-step buffer (DGC momentum correction); 0 without momentum. */
  u: number;
  u2: number;
  /** Learned masks: EMA of |g| and its next-step buffer (0 until the tensor uses 'mask'). */
  e: number;
  e2: number;
  /** Learned masks: the current mask (kept positions, ascending) and the step it was made at. */
  mask?: Uint32Array;
  maskStep: number;
}

/** A learned mask and the step it was made at (saved state, snapshots). */
export interface MaskMeta {
  mask: Uint32Array;
  maskStep: number;
}

/** A mask decided in a step, adopted when the step commits. */
export interface PendingMask {
  mask: Uint32Array;
  refreshed: boolean;
  /** The mask differs from the committed one (the frame must carry it). */
  changed: boolean;
}

