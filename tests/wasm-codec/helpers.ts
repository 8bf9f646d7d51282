/**
 * Shared helpers of the Wasm codec tests: both builds of the core, and outcome comparison between
 * the TypeScript codec (the reference) and the Wasm kernels.
 */
import {
  decodeFrame, encodeFrame, type DecodedFrame, type DecodeLimits, type EncodeOptions, type FrameUpdate,
} from '../../ts-api/codec/frame.ts';
import { FormatError, SparsegradError } from '../../ts-api/errors.ts';
import { decodeFrameWasm, encodeFrameWasm } from '../../ts-api/backends/wasm/codec.ts';
import { loadCore, type WasmCore } from '../../ts-api/backends/wasm/core.ts';

/** The SIMD and the scalar build, each as a named core. */
export async function bothBuilds(): Promise<Array<{ label: string; core: WasmCore }>> {
  return [
    { label: 'SIMD', core: await loadCore({ simd: true }) },
    { label: 'scalar', core: await loadCore({ simd: false }) },
  ];
}

/** f32 bit pattern as hex, with every NaN shown as 'nan' (NaN payloads are not specified). */
function valueKey(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  return new Uint32Array(new Float32Array([x]).buffer)[0]!.toString(16);
}

/** A comparable form of a decoded frame: typed arrays as plain arrays, values as bit patterns. */
export function frameKey(f: DecodedFrame): unknown {
  return {
    ...f,
    tensors: f.tensors.map((t) => ({
      ...t, indices: [...t.indices], values: [...t.values].map(valueKey), valueParam: valueKey(t.valueParam),
    })),
  };
}

/** Outcome of decoding: the frame's key, or the FormatError's [code, offset]. Other errors propagate. */
export function decodeOutcome(fn: () => DecodedFrame): { ok: unknown } | { err: [string, number] } {
  try {
    return { ok: frameKey(fn()) };
  } catch (e) {
    if (e instanceof FormatError) return { err: [e.code, e.offset] };
    throw e;
  }
}

/** Outcome of encoding: the bytes as hex, or the error's class, code and message. */
export function encodeOutcome(fn: () => Uint8Array): { ok: string } | { err: [string, string, string] } {
  try {
    return { ok: Buffer.from(fn()).toString('hex') };
  } catch (e) {
    if (e instanceof SparsegradError) return { err: [e.constructor.name, e.code, e.message] };
    throw e;
  }
}

/**
 * Decode outcomes of the TS reference and of one core. With `masks` (a mask store factory) each
 * decoder gets a fresh store, and the outcome includes the store afterwards.
 */
export function decodeBoth(core: WasmCore, bytes: Uint8Array, limits?: DecodeLimits, masks?: () => Map<string, Uint32Array>): [unknown, unknown] {
  const run = (dec: (s: Map<string, Uint32Array> | undefined) => DecodedFrame): unknown => {
    const store = masks?.();
    const out = decodeOutcome(() => dec(store));
    return store ? { ...out, store: [...store].map(([k, v]) => [k, [...v]]) } : out;
  };
  return [run((s) => decodeFrame(bytes, limits, { masks: s })), run((s) => decodeFrameWasm(core, bytes, limits, { masks: s }))];
}

/** Encode outcomes of the TS reference and of one core. */
export function encodeBoth(core: WasmCore, update: FrameUpdate, options?: EncodeOptions): [unknown, unknown] {
  return [encodeOutcome(() => encodeFrame(update, options)), encodeOutcome(() => encodeFrameWasm(core, update, options))];
}
