/**
 * A step's selections as results: each tensor with its method name, declared shape, wire codes
 * (the options' `values` and `index`), and what its unit section needs — structured results their
 * unit geometry (ts-api/wire_units.ts), learned masks whether the mask changed. One function for
 * the in-thread compressor and the worker pool, so both name and code results the same way.
 */
import { tensorOptions, type CompressorOptions, type ResolvedParams } from './config.ts';
import type { CompressedTensor, SparseTensor } from './types.ts';
import { wireUnitFields } from './wire_units.ts';

/** A kernel's selection of one tensor: structured kernels add their units, mask steps whether the mask changed. */
export type Selected = SparseTensor & { units?: Uint32Array; maskChanged?: boolean };

/** Attaches each selection's method, shape, codes and unit fields (`params[j]` resolved for `sel[j]`). */
export function withCodes(options: Readonly<CompressorOptions>, params: readonly ResolvedParams[], sel: readonly Selected[]): CompressedTensor[] {
  return sel.map((t, j): CompressedTensor => {
    const o = tensorOptions(options, t.name);
    const p = params[j]!;
    const shape = o.shape !== undefined ? { shape: o.shape } : {};
    const codes = { valueCode: o.values ?? 'f32', indexCode: o.index ?? 'auto' } as const;
    if (p.method === 'mask') return { ...t, ...shape, method: 'mask', maskChanged: t.maskChanged === true, ...codes };
    const units = p.method === 'structured' ? wireUnitFields(p.spec, o.shape) : {};
    return { ...t, ...shape, ...units, method: p.method === 'structured' ? p.name : p.method, ...codes };
  });
}
