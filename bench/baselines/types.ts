/** Result type shared by the top-k baselines. */

/** Selected elements: indices in ascending order with their values (as in ts-api's `Selection`). */
export interface TopkSelection {
  indices: Uint32Array;
  values: Float32Array;
}
