/**
 * The worker protocol: what the coordinator (workers/compressor.ts) and a worker's Comlink host
 * (workers/host.ts) say to each other. Types only — no code lives here, so both sides and the
 * type-level tests share one definition (the comlink convention).
 *
 * A worker holds *pieces*: a whole tensor, or one contiguous chunk of a split tensor, each with its
 * own input buffer and residual in the worker's Wasm memory. A step is a two-phase commit:
 * `prepare` runs the kernels and returns selections without committing; `finish` applies the
 * coordinator's fix-ups (for exact merges across pieces), publishes the new residuals to the
 * coordinator's snapshots, and commits; `rollback` undoes the last local commit when another worker
 * failed after it. Large arrays cross by transfer (or by sharing a SharedArrayBuffer), never by
 * structured clone.
 */
import type { CompressorOptions, ResolvedParams } from '../ts-api/config.ts';

/** One piece of a tensor held by a worker (a whole tensor has offset 0 and length = total). */
export interface PieceDesc {
  /** Unique key of the piece: the tensor name, plus `@offset` for chunks of a split tensor. */
  key: string;
  /** Tensor name (its FNV-1a hash is the RNG tensor id). */
  name: string;
  /** First element of the piece in the tensor. */
  offset: number;
  /** Elements in the piece. */
  length: number;
  /** Elements in the whole tensor. */
  total: number;
  /**
   * Shared snapshot mode, the first time a worker hears of the piece: the coordinator's buffer of
   * two slots of `length` f32 each, where the worker publishes committed residuals.
   */
  snapshot?: SharedArrayBuffer;
}

/** A kernel call on one piece whose result is final (per-tensor methods, threshold chunks). */
export interface DirectJob {
  kind: 'direct';
  /** Canonical position (the order in which the in-thread compressor would report errors). */
  pos: number;
  piece: PieceDesc;
  params: ResolvedParams;
  /** The piece's input (a transferred buffer, or a view of a SharedArrayBuffer). */
  input: Float32Array;
  /** The input was staged in place: it already is the piece's input buffer at this address (no copy). */
  inPlace?: number;
  /** Learned masks: the caller's mask scores (setMaskScores), used at a refresh. */
  scores?: Float32Array;
}

/**
 * Exact-merge phase one on one piece: top-`k` of acc (keepTies: every element at or above the
 * k-th key) with error feedback applied as if all of them were kept; `finish` restores the
 * accumulated value at the candidates the coordinator rejects. `hold`: the worker keeps the
 * candidates and answers with a histogram of their keys' top 16 bits (the coordinator then asks
 * for one bucket's keys and sends back a cut); otherwise the candidates themselves come back.
 */
export interface CandidatesJob {
  kind: 'candidates';
  pos: number;
  piece: PieceDesc;
  k: number;
  keepTies: boolean;
  hold: boolean;
  input: Float32Array;
  /** As for DirectJob. */
  inPlace?: number;
}

/** A held piece's answer to phase one: counts of candidate keys by their top 16 bits (key >>> 15). */
export interface KeyHistogram {
  hist: Uint32Array;
}

/** What one job (or group member) gives back from phase one. */
export type JobResult = SelectionOut | KeyHistogram;

/** The cut a held piece applies in phase two: keep keys above T and the first `ties` keys equal to T. */
export interface CutSpec {
  T: number;
  ties: number;
  /** How many candidates the cut keeps (known to the coordinator; checked by the worker). */
  kept: number;
}

/** A joint group whose tensors all live whole on one worker: one call of the group kernel. */
export interface GroupJob {
  kind: 'group';
  method: 'global-topk' | 'hybrid';
  /** The group budget (global-topk: K; hybrid: the global part's K). */
  K: number;
  members: Array<{ pos: number; piece: PieceDesc; input: Float32Array; /** hybrid: own top-k. */ k: number; inPlace?: number }>;
}

/** Any job of a prepare request. */
export type Job = DirectJob | CandidatesJob | GroupJob;

/**
 * Where a worker publishes committed state: as views of its own shared Wasm memory ('memory',
 * workers/shared_core.ts), into the coordinator's shared snapshot slots, as transferred copies, or
 * nowhere.
 */
export type SnapshotMode = 'memory' | 'shared' | 'copy' | 'none';

/** Per piece (by key), the shared snapshot slot (0 or 1) that the new residual goes into. */
export type PublishSlots = Record<string, number>;

/** Phase one of a step. */
export interface PrepareRequest {
  /** Step token (unique per coordinator). */
  token: number;
  /** RNG step number. */
  step: number;
  jobs: Job[];
  /** DGC clipping: the factor every input is scaled by (the coordinator's clip scale; default 1). */
  scale?: number;
  /** Commit in the same call (only when this worker is the only one in the step and no merge is needed). */
  autoCommit?: { slots: PublishSlots };
}

/** A selection as it crosses the boundary. */
export interface SelectionOut {
  indices: Uint32Array;
  values: Float32Array;
  /** Structured methods: the kept unit numbers. */
  units?: Uint32Array;
  /** Learned masks: whether the step's mask differs from the committed one. */
  maskChanged?: boolean;
}

/** A failure reported by a worker. */
export interface HostError {
  /** SparsegradError code (E_NONFINITE, E_SHAPE, E_CAPACITY, …) or E_INTERNAL. */
  code: string;
  name: string;
  message: string;
  /** True when the worker's state can no longer be trusted (it will be replaced). */
  fatal: boolean;
  /** Canonical position of the failing job (kernel errors). */
  pos?: number;
  /** Index in the piece of the first non-finite element (E_NONFINITE). */
  index?: number;
  /** E_NONFINITE: what the input held there. */
  detail?: string;
}

/** A piece's learned mask and the step it was made at (ts-api/slot.ts). */
export type { MaskMeta } from '../ts-api/slot.ts';
import type { MaskMeta } from '../ts-api/slot.ts';

/**
 * What a commit publishes for recovery: per piece, in 'copy' and 'memory' modes, its state arrays
 * (residual, then momentum, then mask EMA — workers/piece_state.ts) as transferred copies or as
 * views of the worker's shared memory; and per mask piece its mask (null: none yet).
 */
export interface Published {
  copies?: Record<string, Float32Array[]>;
  /**
   * Shared-memory cores: the worker's memory and, per piece of the step, where its next input goes
   * (the coordinator's `stage()` returns a view there: zero-copy input).
   */
  memory?: SharedArrayBuffer;
  inputs?: Record<string, number>;
  metas?: Record<string, MaskMeta | null>;
}

/** Phase one's answer: results in job order (a group job gives one per member), or an error. */
export type PrepareReply =
  | ({ ok: true; results: JobResult[] } & Published)
  | { ok: false; error: HostError };

/** Positions to restore to their accumulated values in one candidates piece. */
export interface Fixup {
  key: string;
  indices: Uint32Array;
  values: Float32Array;
}

/** Phase two of a step. */
export interface FinishRequest {
  token: number;
  /** false: abort (nothing of the step is kept). */
  commit: boolean;
  fixups: Fixup[];
  /** Held pieces: the cut to apply (kept candidates come back, rejected ones are restored). */
  cuts: Record<string, CutSpec>;
  /** Shared mode: the slot each piece publishes into. */
  slots: PublishSlots;
  /**
   * Additions to the new residual, after the fix-ups: r[i] = f32(r[i] + v) — the byte budget's
   * dropped values and the quantisation error of lossy value codes (piece indices).
   */
  adds?: Fixup[];
  /** Momentum-factor masking: the piece positions sent in the final selection (momentum set to 0). */
  sent?: Array<{ key: string; indices: Uint32Array }>;
}

/** Phase two's answer: copy mode returns each committed state by transfer. */
export type FinishReply =
  | ({ ok: true; kept?: Record<string, SelectionOut> } & Published)
  | { ok: false; error: HostError };

/** Worker configuration sent once after start. */
export interface HostInit {
  options: CompressorOptions;
  snapshots: SnapshotMode;
}

/** What a worker reports after init. */
export interface HostInfo {
  /** True for the SIMD build of the core. */
  simd: boolean;
  /** SHA-256 of the embedded Wasm builds (must equal the coordinator's). */
  buildHash: string;
  /** True when the worker's core runs on a shared memory (memory snapshots are views, not copies). */
  sharedMemory: boolean;
}

/** A fault to inject (tests): at the named phase of the next step, exit, throw or hang. */
export interface FaultSpec {
  phase: 'prepare' | 'finish';
  action: 'exit' | 'throw' | 'hang';
}

/** A piece with the values to write into its residual (null: zeros). */
export interface PieceValues {
  piece: PieceDesc;
  values: Float32Array | null;
}

/**
 * A piece's whole state as read or restored: residual, momentum, mask EMA (absent: zeros, or
 * not kept for this piece) and mask (absent: none).
 */
export interface PieceState {
  r?: Float32Array;
  u?: Float32Array;
  e?: Float32Array;
  meta?: MaskMeta;
}

/** How a piece is restored: from a shared snapshot slot, or from given arrays (back to back). */
export interface PieceRestore {
  piece: PieceDesc;
  /** Shared snapshot slot to read. */
  slot?: number;
  /** The state arrays (copy and memory modes; absent: zeros); not with `slot`. */
  state?: Float32Array[];
  /** The mask (absent: none). */
  meta?: MaskMeta;
}

/** The API a worker exposes through Comlink. Methods may be sync on the worker side. */
export interface HostApi {
  /** Loads the Wasm core. */
  init(init: HostInit): HostInfo | Promise<HostInfo>;
  prepare(req: PrepareRequest): PrepareReply;
  /**
   * Held pieces: select again with `k` candidates (the accumulated values of the old candidates are
   * restored first, so this equals a first selection with `k`); returns their new key histograms.
   */
  extend(token: number, items: Array<{ key: string; k: number; keepTies: boolean }>): Uint32Array[];
  /** The candidate keys of held pieces whose top 16 bits equal `bucket` (phase one and a half). */
  bucket(token: number, items: Array<{ key: string; bucket: number }>): Uint32Array[];
  finish(req: FinishRequest): FinishReply;
  /** Undoes the local commit of step `token` (another worker failed after this one committed). */
  rollback(token: number): void;
  /** Copies of the pieces' whole state: residual, momentum, mask EMA and mask. */
  readState(pieces: PieceDesc[]): PieceState[];
  /** Restores whole states (recovery, restoreState): residual, momentum, mask EMA and mask. */
  restore(items: PieceRestore[]): void;
  /** Overwrites residuals, other state kept (setResidual, resetResidual). */
  write(items: PieceValues[]): void;
  /** Wasm memory in bytes. */
  memoryBytes(): number;
  /** Tests: arm a fault for the next step. */
  fault(spec: FaultSpec): void;
  /** Frees everything. */
  dispose(): void;
}
