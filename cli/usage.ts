/**
 * The CLI's help text and version.
 */
import pkg from '../package.json' with { type: 'json' };

/** The package version (from package.json, bundled in). */
export const VERSION: string = pkg.version;

/** The hint printed after every usage error. */
export const USAGE_HINT = "run 'sparsegrad --help' for usage";

/** The text `sparsegrad --help` prints on stdout. */
export const USAGE = `sparsegrad ${VERSION}: gradient sparsification with error feedback

usage:
  sparsegrad compress IN.f32 -o OUT --method METHOD (--density D | --k N | --threshold T) [options]
  sparsegrad decode IN (-o OUT.f32 | --json) [--max-elements N] [--max-bytes N] [--masks STORE]
  sparsegrad inspect IN [--json] [--max-elements N] [--max-bytes N]
  sparsegrad --help | --version

compress: keep part of a tensor (raw little-endian float32) and write one frame (docs/wire-format.md)
  -o, --output OUT       frame file to write
  --config FILE          JSON compressor options (method, budgets, schedules, compensation, codes,
                         per-tensor overrides by name pattern); flags given override it
  --method METHOD        topk | threshold | randomk | probabilistic | approx-topk | percentile | global-topk
                         | block | channel | head | row | column | nm (structured: need --shape)
  --density D            fraction of elements to keep, in (0, 1]
  --k N                  number of elements to keep
  --threshold T          absolute magnitude threshold (--method threshold; with --density/--k instead,
                         threshold means percentile)
  --seed S               RNG seed of randomk/probabilistic, an integer in [0, 2^32) (default 0)
  --step N               step number (default: the state's step counter, else 0)
  --state STATE          error-feedback state: restored when the file exists; after the frame is
                         written, replaced atomically (STATE.tmp, then rename)
  --name NAME            tensor name (default: IN's file name without its extension)
  --values CODE          f32 | f16 | bf16 | int8 | ternary (default f32); the error of a lossy code
                         goes back into the residual
  --index CODE           auto | coo | csr | bitmap | rle | varint | rice (default auto: the smallest)
  --shape D0,D1,...      dense shape (its product must be the element count); declared in the frame
  --block B | BHxBW      block: block size (default 4)
  --heads H              head: number of attention heads; --head-layout rows|cols (default rows)
  --nm N:M               nm: keep N of every M along the last dimension (default 2:4)
  --score l1|l2|max      structured: how units are scored (default l2)
  --rescale              randomk: scale sent values by n/k (unbiased)
  --no-error-feedback    keep no residual: what is not sent is dropped
  --verbose              print a one-line summary on stderr

decode: write the dense tensors of a frame
  -o, --output OUT.f32   raw little-endian float32, zeros where nothing was kept; several tensors
                         are concatenated in frame order
  --json                 print {"tensors":[{"name","length","indices","values"}]} on stdout
                         (element indices; structured tensors add "unit" and its parameters)
  --masks STORE          mask store (JSON {name: [indices]}) for learned masks sent without their
                         mask: read when it exists, rewritten after a good frame
  --max-elements N       refuse frames holding more than N kept elements in all
  --max-bytes N          refuse frames longer than N bytes

inspect: print a frame's header and, per tensor, its unit, codes, bytes, bits per index and its
compression ratio against dense float32
  --json                 machine-readable output
  --max-elements N, --max-bytes N   as for decode

exit status: 0 success, 1 bad input or failure, 2 bad usage
`;
