/**
 * Typed errors. Every failure that comes from the caller's input is one of these, with a stable
 * `code` and a message that names the tensor and the offending value or position. A step that
 * throws one of them has changed no state.
 */

/** Base class of every sparsegrad error. */
export class SparsegradError extends Error {
  /** Stable machine-readable code, e.g. `E_NONFINITE`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option, method name, k, density or threshold is invalid. */
export class ConfigError extends SparsegradError {
  constructor(message: string) {
    super('E_CONFIG', message);
  }
}

/** A gradient contains NaN or ±Inf, or gradient + residual overflows float32. */
export class NonFiniteError extends SparsegradError {
  /** Tensor name. */
  readonly tensor: string;
  /** First offending element. */
  readonly index: number;
  constructor(tensor: string, index: number, detail: string) {
    super('E_NONFINITE', `tensor '${tensor}': ${detail} at index ${index}`);
    this.tensor = tensor;
    this.index = index;
  }
}

/** A tensor or residual has the wrong length, or a tensor name is unknown. */
export class ShapeError extends SparsegradError {
  constructor(message: string) {
    super('E_SHAPE', message);
  }
}

/** A tensor (with its residual and scratch) does not fit in what the backend can hold. */
export class CapacityError extends SparsegradError {
  constructor(message: string) {
    super('E_CAPACITY', message);
  }
}

/** Saved state is malformed, from another version, or from an incompatible build. */
export class StateError extends SparsegradError {
  constructor(message: string) {
    super('E_STATE', message);
  }
}

/** Encoded bytes are not a valid frame. `offset` is the byte offset where decoding failed. */
export class FormatError extends SparsegradError {
  /** Byte offset in the frame where the problem was found. */
  readonly offset: number;
  constructor(code: string, offset: number, message: string) {
    super(code, `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}
