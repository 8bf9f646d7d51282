// Structured-selection and compensation kernels' ABI, re-exported by index.ts.

/** Number of structured kernels in this build (grows as they land). */
export function sg_structured_count(): u32 {
  return 0;
}
