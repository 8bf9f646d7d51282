/*
 * sparsegrad C host: a small, stable C ABI over the sparsegrad Wasm core (the scalar build,
 * build/sparsegrad.scalar.wasm, translated to C by wasm2c). The kernels are the same Wasm code as
 * every other backend runs, so selections and frames are the same bits as the TypeScript API with
 * `simd: false` (docs/selection.md, docs/wire-format.md). Build: interop/c/build.sh (see
 * interop/README.md); link build/c/libsparsegrad.a -lm.
 *
 * Threading: one sg_ctx is one Wasm instance; use a context from one thread at a time. The
 * wasm2c runtime keeps its trap state in globals, so calls into different contexts must not
 * run concurrently either.
 * Host: little-endian only (Wasm memory is little-endian and is copied with memcpy).
 * Aborts: an AssemblyScript abort inside the core (a failed internal assertion, or memory that
 * cannot grow) prints the message to stderr and exits the process with status 70.
 */
#ifndef SPARSEGRAD_H
#define SPARSEGRAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this C ABI (bumped when a function changes meaning). */
#define SG_C_ABI_VERSION 1

/** Host return codes (negative). */
#define SG_E_NONFINITE (-1) /* grad + residual holds NaN or ±Inf; see sg_error_index. Nothing changed. */
#define SG_E_ARG (-2)       /* a NULL pointer where one is required, k > n, or a size the core cannot hold */
#define SG_E_TRAP (-3)      /* the Wasm core trapped (out-of-bounds access, unreachable, ...) */
#define SG_E_ENCODE (-4)    /* the frame encoder refused a tensor; see sg_encode_status */
#define SG_E_NOMEM (-5)     /* host malloc failed */

/** Index codes (docs/wire-format.md, "Identifier tables"); SG_INDEX_AUTO picks the smallest exactly. */
enum { SG_COO = 0, SG_CSR = 1, SG_BITMAP = 2, SG_RLE = 3, SG_VARINT = 4, SG_RICE = 5, SG_INDEX_AUTO = 255 };
/** Value codes. */
enum { SG_F32 = 0, SG_F16 = 1, SG_BF16 = 2, SG_INT8 = 3, SG_TERNARY = 4 };
/** Method ids (16..22: structured methods, decoded only by this host). */
enum { SG_TOPK = 0, SG_THRESHOLD = 1, SG_PERCENTILE = 2, SG_RANDOMK = 3, SG_PROBABILISTIC = 4,
       SG_APPROX_TOPK = 5, SG_GLOBAL_TOPK = 6, SG_HYBRID = 7, SG_BLOCK = 16, SG_CHANNEL = 17, SG_HEAD = 18,
       SG_ROW = 19, SG_COLUMN = 20, SG_NM = 21, SG_MASK = 22 };
/** Units of a tensor section (docs/wire-format.md, "Structured units"). */
enum { SG_UNIT_ELEMENT = 0, SG_UNIT_RECT = 1, SG_UNIT_NM = 2, SG_UNIT_MASK = 3 };

/** An instance of the Wasm core with its own linear memory. */
typedef struct sg_ctx sg_ctx;

/** Creates an instance. Returns NULL when memory cannot be reserved. */
sg_ctx* sg_open(void);

/** Frees the instance and everything it owns. NULL is accepted. */
void sg_close(sg_ctx* ctx);

/** The core's ABI version (sg_abi_version of the Wasm module). */
uint32_t sg_core_abi_version(sg_ctx* ctx);

/** The wire-format version the core speaks (1). */
uint32_t sg_wire_format_version(sg_ctx* ctx);

/* ---- selection ------------------------------------------------------------------------------ */

/**
 * Exact top-k with error feedback (docs/selection.md, "topk"): acc = grad + residual (one f32 add
 * each), keep the k elements of largest |acc| (ties: lower index), write their indices ascending to
 * out_idx[0..k) and acc at those indices to out_val[0..k), and replace residual with acc - sent
 * (0 at the kept positions, acc elsewhere). residual may be NULL: no error feedback (acc = grad).
 * Returns the number kept (k), or SG_E_NONFINITE / SG_E_ARG / SG_E_TRAP; on error the residual
 * is left unchanged and the outputs are not written.
 */
int sg_topk_ef(sg_ctx* ctx, const float* grad, float* residual, uint32_t n, uint32_t k,
               uint32_t* out_idx, float* out_val);

/** After SG_E_NONFINITE: the first index whose accumulated value is NaN or ±Inf. After
 *  SG_E_ENCODE with status 6 or 7: the element position j that failed. */
uint32_t sg_error_index(sg_ctx* ctx);

/* ---- frames (docs/wire-format.md) ------------------------------------------------------------ */

/** One tensor to encode. */
typedef struct sg_tensor {
  const char* name;         /* UTF-8, NUL-terminated, 1..1024 bytes, unique within the frame */
  uint32_t method;          /* SG_TOPK ... SG_HYBRID (informational) */
  int32_t rank;             /* -1: no shape; else 0..16 dims in shape[], product = length */
  const uint32_t* shape;
  uint32_t length;          /* dense length n */
  uint32_t k;               /* number of kept elements */
  const uint32_t* indices;  /* k indices, strictly increasing, < length */
  const float* values;      /* k finite values as selected (lossy codes quantise them) */
  uint32_t index_code;      /* SG_COO ... SG_RICE, or SG_INDEX_AUTO */
  uint32_t value_code;      /* SG_F32 ... SG_TERNARY */
} sg_tensor;

/**
 * Encodes one frame of `count` tensors at `step`. On success returns 0 and sets *out to a malloc'd
 * buffer of *out_len bytes (release it with free()). Otherwise: SG_E_ENCODE (the core refused a
 * tensor: sg_encode_status, sg_encode_error_tensor, sg_error_index), SG_E_ARG, SG_E_NOMEM, SG_E_TRAP.
 */
int sg_encode_frame(sg_ctx* ctx, uint32_t step, const sg_tensor* tensors, uint32_t count,
                    uint8_t** out, size_t* out_len);

/** The core's status of the last failed sg_encode_frame: 1 no frame, 2 bad name, 3 duplicate
 *  name, 4 method id, 5 shape, 6 index j, 7 value j non-finite, 8 value code, 9 index code,
 *  10 csr without a rank-2 shape, 11 payload too large, 12 frame too large, 13 a structured
 *  method (16..22: this host encodes element-wise methods only). */
int sg_encode_status(sg_ctx* ctx);

/** Position (in the tensors array) of the tensor the last failed sg_encode_frame stopped at. */
uint32_t sg_encode_error_tensor(sg_ctx* ctx);

/**
 * The values a receiver decodes for `values` sent with `value_code` (identity for SG_F32): write
 * them to out[0..k). An error-feedback sender adds `values[j] - out[j]` (f32) to its residual at
 * the kept positions (docs/wire-format.md, "Lossy codes and error feedback"). Returns 0 or
 * SG_E_ENCODE (non-finite value, unknown code) / SG_E_ARG / SG_E_TRAP.
 */
int sg_quantize(sg_ctx* ctx, const float* values, uint32_t k, uint32_t value_code, float* out);

/** Wire-format error codes of sg_decode_frame (docs/wire-format.md, "Error codes"). */
enum {
  SG_FE_LIMIT = 1, SG_FE_TRUNCATED, SG_FE_MAGIC, SG_FE_VERSION, SG_FE_LENGTH, SG_FE_TRAILING,
  SG_FE_CHECKSUM, SG_FE_RESERVED, SG_FE_COUNT, SG_FE_NAME, SG_FE_CODE, SG_FE_SHAPE, SG_FE_PARAM,
  SG_FE_INDEX_RANGE, SG_FE_INDEX_ORDER, SG_FE_VARINT, SG_FE_VALUE, SG_FE_NONFINITE_VALUE, SG_FE_MASK
};

/** "E_LIMIT" ... "E_MASK" for SG_FE_* codes, NULL otherwise. */
const char* sg_format_error_name(int code);

/** Caller limits for untrusted bytes (negative: no limit). */
typedef struct sg_limits {
  double max_elements;  /* largest sum of k over the frame */
  double max_bytes;     /* largest frame */
  int allow_nonfinite;  /* accept NaN/±Inf values */
} sg_limits;

/** One decoded tensor section. */
typedef struct sg_decoded_tensor {
  char* name;               /* NUL-terminated copy of the UTF-8 name */
  uint32_t name_len;
  uint32_t method, index_code, value_code;
  int32_t rank;             /* -1: no shape declared */
  uint32_t shape[16];
  uint32_t length, k;
  uint32_t index_param;     /* rice b, else 0 */
  uint32_t value_param_bits;/* int8 scale / ternary mu as f32 bits, else 0 */
  uint32_t index_bytes, value_bytes, section_bytes;
  uint32_t* indices;        /* k element indices, ascending; NULL for a mask section sent without
                               its mask until sg_resolve_masks filled it in */
  float* values;            /* k, dequantised */
  uint32_t unit;            /* SG_UNIT_ELEMENT ... SG_UNIT_MASK; k counts elements whatever the unit */
  uint32_t unit_dims[16];   /* rect: the unit extent per dimension (rank of them) */
  uint32_t unit_count;      /* rect: number of kept units */
  uint32_t* units;          /* rect: the unit_count kept unit numbers, ascending; else NULL */
  uint32_t nm_n, nm_m;      /* nm: N and M */
  int mask_sent;            /* mask: 1 when the section carried the mask */
  uint32_t section_offset;  /* the section's first byte in the frame */
} sg_decoded_tensor;

/** A decoded frame. */
typedef struct sg_decoded_frame {
  uint32_t step, total_length, checksum, count;
  sg_decoded_tensor* tensors;
} sg_decoded_frame;

/**
 * Decodes and validates untrusted bytes in the core (checks in the spec's order). Returns 0 and
 * sets *out (free with sg_decoded_frame_free), or an SG_FE_* code with the byte offset in
 * *error_offset (may be NULL), or SG_E_ARG / SG_E_NOMEM / SG_E_TRAP. limits may be NULL.
 */
int sg_decode_frame(sg_ctx* ctx, const uint8_t* bytes, size_t len, const sg_limits* limits,
                    sg_decoded_frame** out, uint32_t* error_offset);

/** Frees a decoded frame. NULL is accepted. */
void sg_decoded_frame_free(sg_decoded_frame* frame);

/** The receiver's mask store: the stored mask of `name` (and its length in *count), or NULL. */
typedef const uint32_t* (*sg_mask_lookup)(void* user, const char* name, uint32_t* count);

/**
 * Rule 11 of docs/wire-format.md ("Validation") for a decoded frame: every mask section sent without
 * its mask (unit SG_UNIT_MASK, mask_sent 0) takes the stored mask of its name from `lookup`, which
 * must hold exactly k strictly increasing indices below the length. Returns 0, SG_FE_MASK with the
 * section's offset in *error_offset (may be NULL), or SG_E_NOMEM / SG_E_ARG. Afterwards the caller
 * stores the indices of every mask section with mask_sent 1 (replacing the name's mask); after a
 * failure it keeps its store unchanged.
 */
int sg_resolve_masks(sg_decoded_frame* frame, sg_mask_lookup lookup, void* user, uint32_t* error_offset);

#ifdef __cplusplus
}
#endif

#endif /* SPARSEGRAD_H */
