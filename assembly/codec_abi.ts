// Wire-format kernels' ABI (encode/decode/checksum), re-exported by index.ts.

/** Version of the wire format these kernels speak. */
export function sg_wire_version(): u32 {
  return 1;
}
