/**
 * The encoder's checks of a tensor's structured unit (docs/wire-format.md, "Structured units"),
 * shared by ts-api/codec/frame.ts and the Wasm wrapper (ts-api/backends/wasm/codec.ts) so that both
 * throw the same errors with the same messages.
 */
import { ConfigError } from '../errors.ts';
import { methodId } from './ids.ts';
import {
  NM_MAX_GROUP, isIntIn, methodUnitOfId, nmMismatch, nmRowWidth, rectGrid, rectMismatch, type RectGrid,
} from './units.ts';

/** What the encoder needs to know about a tensor's unit. */
export interface UnitPlan {
  /** 0 element, 1 rect, 2 nm, 3 mask. */
  unit: number;
  /** Unit 1: the grid over the shape. */
  grid?: RectGrid;
  /** Unit 2: [N, M] and the row width C. */
  nm?: [number, number];
  cols?: number;
  /** Unit 3: whether the mask is sent. */
  sendMask: boolean;
}

/**
 * Checks the unit geometry of `t` (its method is known, its shape already checked): rectangle
 * methods need a shape, `unitDims` of its rank (integers ≥ 1) and `units` as a Uint32Array; `nm`
 * needs [N, M] with 1 ≤ M ≤ 32, 0 ≤ N ≤ M.
 * @throws ConfigError
 */
export function checkUnitGeometry(t: {
  method: string; length: number; shape?: number[]; units?: unknown; unitDims?: unknown; nm?: unknown; maskChanged?: boolean;
}, label: string, alwaysSendMask: boolean): UnitPlan {
  const unit = methodUnitOfId(methodId(t.method));
  if (unit === 1) {
    const shape = t.shape;
    if (shape === undefined) throw new ConfigError(`${label}: method '${t.method}' needs a shape (its units are rectangles of it)`);
    const ud = t.unitDims;
    if (!Array.isArray(ud) || ud.length !== shape.length || !ud.every((d) => isIntIn(d, 1))) {
      throw new ConfigError(`${label}: unitDims must be ${shape.length} integers in [1, 2^32 - 1] (one per shape dimension)`);
    }
    if (!(t.units instanceof Uint32Array)) throw new ConfigError(`${label}: method '${t.method}' needs its kept unit numbers as a Uint32Array (units)`);
    return { unit, grid: rectGrid(shape, ud as number[]), sendMask: false };
  }
  if (unit === 2) {
    const nm = t.nm;
    if (!Array.isArray(nm) || nm.length !== 2 || !isIntIn(nm[1], 1, NM_MAX_GROUP) || !isIntIn(nm[0], 0, nm[1] as number)) {
      throw new ConfigError(`${label}: nm must be [N, M] with integers 1 <= M <= ${NM_MAX_GROUP}, 0 <= N <= M`);
    }
    return { unit, nm: [nm[0] as number, nm[1] as number], cols: nmRowWidth(t.shape, t.length), sendMask: false };
  }
  return { unit, sendMask: unit === 3 && (alwaysSendMask || t.maskChanged !== false) };
}

/** Message of a unit number that is out of order or ≥ U (position j). */
export function unitOrderMessage(label: string, U: number, u: number, j: number): string {
  return `${label}: unit numbers must be strictly increasing and < ${U} (unit ${u} at ${j})`;
}

/** Message of element indices that are not the kept units' elements (first difference at j). */
export function unitElementsMessage(label: string, j: number): string {
  return `${label}: indices must be exactly the elements of the kept units, ascending (they differ at position ${j})`;
}

/** Message of an N:M group that does not keep min(N, g) elements. */
export function nmPatternMessage(label: string, s: number): string {
  return `${label}: the N:M group at element ${s} does not keep exactly min(N, its size) elements`;
}

/**
 * Checks a tensor's content against its unit, after its element indices were checked (strictly
 * increasing, < n): unit numbers strictly increasing and < U, then element indices equal to the
 * kept units' elements (unit 1); every N:M group keeps min(N, g) (unit 2).
 * @throws ConfigError
 */
export function checkUnitContent(t: { length: number; indices: Uint32Array; units?: Uint32Array }, label: string, u: UnitPlan): void {
  if (u.unit === 1) {
    const g = u.grid!;
    const units = t.units!;
    let prev = -1;
    for (let j = 0; j < units.length; j++) {
      if (units[j]! <= prev || units[j]! >= g.U) throw new ConfigError(unitOrderMessage(label, g.U, units[j]!, j));
      prev = units[j]!;
    }
    const at = rectMismatch(g, units, t.indices);
    if (at >= 0) throw new ConfigError(unitElementsMessage(label, at));
  } else if (u.unit === 2) {
    const [N, M] = u.nm!;
    const s = nmMismatch(t.indices, t.length, u.cols!, N, M);
    if (s >= 0) throw new ConfigError(nmPatternMessage(label, s));
  }
}
