/*
 * sg_demo: a fixed, deterministic error-feedback scenario through the C host (sparsegrad.h).
 *
 *   sg_demo OUTDIR        writes, for s = 0..STEPS-1, OUTDIR/step<s>.sgd (the step's frame) and
 *                         OUTDIR/step<s>.sel (raw selections), and OUTDIR/residual.f32
 *
 * Tensors (in this order), with the codes of their frame sections:
 *   "embed.w" n = 10000, k = 100, shape [100, 100], rice + f16
 *   "fc.w"    n = 3000,  k = 30,  shape [30, 100],  csr + int8
 *   "fc.b"    n = 10,    k = 1,   no shape,         auto + bf16
 *   "head.b"  n = 7,     k = 7,   no shape,         bitmap + ternary   (k = n)
 * STEPS = 6. Exact top-k with error feedback, residuals starting at zero. The value codes are
 * lossy, so after each selection the quantisation error (sent - decoded, f32) is added to the
 * residual at the kept positions (docs/wire-format.md, "Lossy codes and error feedback").
 *
 * Gradient of tensor t (0-based position above) at step s, element i — integers only, so that any
 * language reproduces it bit for bit (no sinf/Math.sin differences):
 *   mix(x)  = lowbias32 (docs/selection.md): x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15;
 *             x *= 0x846ca68b; x ^= x >> 16   (u32 arithmetic)
 *   h       = mix(i ^ (s * 0x9e3779b9) ^ ((t + 1) * 0x85ebca6b))          (u32 products)
 *   g[i]    = (h >> 8) * 2^-24 - 0.5        (exact in f32: a multiple of 2^-24 in [-0.5, 0.5))
 *
 * step<s>.sel: for each tensor in order: k (u32), k indices (u32, ascending), k values (f32, as
 * selected, before quantisation), all little-endian. residual.f32: the final residuals of all
 * tensors, concatenated, f32 LE. tests/interop/c_host.test.ts runs the same scenario through the
 * TypeScript API (createCompressor({ method: 'topk', k, simd: false, tensors: { name: { values,
 * index } } }) and encodeFrame) and compares the bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparsegrad.h"

#define STEPS 6
#define TENSORS 4

static const char* const NAMES[TENSORS] = {"embed.w", "fc.w", "fc.b", "head.b"};
static const uint32_t LENGTHS[TENSORS] = {10000, 3000, 10, 7};
static const uint32_t KS[TENSORS] = {100, 30, 1, 7};
static const int32_t RANKS[TENSORS] = {2, 2, -1, -1};
static const uint32_t SHAPES[TENSORS][2] = {{100, 100}, {30, 100}, {0, 0}, {0, 0}};
static const uint32_t INDEX_CODES[TENSORS] = {SG_RICE, SG_CSR, SG_INDEX_AUTO, SG_BITMAP};
static const uint32_t VALUE_CODES[TENSORS] = {SG_F16, SG_INT8, SG_BF16, SG_TERNARY};

static uint32_t mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

static float gradient(uint32_t t, uint32_t s, uint32_t i) {
  uint32_t h = mix(i ^ (s * 0x9e3779b9u) ^ ((t + 1) * 0x85ebca6bu));
  return (float)(h >> 8) * 0x1p-24f - 0.5f;
}

static void put(FILE* f, const void* p, size_t bytes, const char* path) {
  if (bytes && fwrite(p, 1, bytes, f) != bytes) {
    fprintf(stderr, "error: cannot write %s\n", path);
    exit(1);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sg_demo OUTDIR\n");
    return 2;
  }
  const char* dir = argv[1];
  sg_ctx* ctx = sg_open();
  if (!ctx) {
    fprintf(stderr, "error: sg_open failed\n");
    return 1;
  }
  float* residual[TENSORS];
  uint32_t* idx[TENSORS];
  float* val[TENSORS];
  for (int t = 0; t < TENSORS; t++) {
    residual[t] = calloc(LENGTHS[t], sizeof(float));
    idx[t] = malloc(KS[t] * sizeof(uint32_t));
    val[t] = malloc(KS[t] * sizeof(float));
  }
  float* grad = malloc(10000 * sizeof(float));
  float* decoded = malloc(10000 * sizeof(float));
  char path[4096];
  for (uint32_t s = 0; s < STEPS; s++) {
    sg_tensor sections[TENSORS];
    snprintf(path, sizeof path, "%s/step%u.sel", dir, (unsigned)s);
    FILE* f = fopen(path, "wb");
    if (!f) {
      fprintf(stderr, "error: cannot open %s\n", path);
      return 1;
    }
    for (uint32_t t = 0; t < TENSORS; t++) {
      for (uint32_t i = 0; i < LENGTHS[t]; i++) grad[i] = gradient(t, s, i);
      int rc = sg_topk_ef(ctx, grad, residual[t], LENGTHS[t], KS[t], idx[t], val[t]);
      if (rc < 0) {
        fprintf(stderr, "error: sg_topk_ef(%s, step %u) = %d\n", NAMES[t], (unsigned)s, rc);
        return 1;
      }
      uint32_t k = (uint32_t)rc;
      put(f, &k, 4, path);
      put(f, idx[t], (size_t)k * 4, path);
      put(f, val[t], (size_t)k * 4, path);
      /* error feedback of the quantisation: residual += sent - decoded at the kept positions */
      if (sg_quantize(ctx, val[t], k, VALUE_CODES[t], decoded) != 0) {
        fprintf(stderr, "error: sg_quantize(%s) failed (status %d)\n", NAMES[t], sg_encode_status(ctx));
        return 1;
      }
      for (uint32_t j = 0; j < k; j++) residual[t][idx[t][j]] += val[t][j] - decoded[j];
      sg_tensor sec = {NAMES[t], SG_TOPK, RANKS[t], SHAPES[t], LENGTHS[t], k, idx[t], val[t],
                       INDEX_CODES[t], VALUE_CODES[t]};
      sections[t] = sec;
    }
    if (fclose(f) != 0) return 1;
    uint8_t* frame;
    size_t frame_len;
    int rc = sg_encode_frame(ctx, s, sections, TENSORS, &frame, &frame_len);
    if (rc != 0) {
      fprintf(stderr, "error: sg_encode_frame(step %u) = %d (status %d, tensor %u, element %u)\n", (unsigned)s, rc,
              sg_encode_status(ctx), (unsigned)sg_encode_error_tensor(ctx), (unsigned)sg_error_index(ctx));
      return 1;
    }
    snprintf(path, sizeof path, "%s/step%u.sgd", dir, (unsigned)s);
    f = fopen(path, "wb");
    if (!f) {
      fprintf(stderr, "error: cannot open %s\n", path);
      return 1;
    }
    put(f, frame, frame_len, path);
    free(frame);
    if (fclose(f) != 0) return 1;
  }
  snprintf(path, sizeof path, "%s/residual.f32", dir);
  FILE* f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "error: cannot open %s\n", path);
    return 1;
  }
  for (int t = 0; t < TENSORS; t++) put(f, residual[t], (size_t)LENGTHS[t] * 4, path);
  if (fclose(f) != 0) return 1;
  printf("sg_demo: core ABI %u, wire format %u, %d steps x %d tensors written to %s\n",
         (unsigned)sg_core_abi_version(ctx), (unsigned)sg_wire_format_version(ctx), STEPS, TENSORS, dir);
  for (int t = 0; t < TENSORS; t++) {
    free(residual[t]);
    free(idx[t]);
    free(val[t]);
  }
  free(grad);
  free(decoded);
  sg_close(ctx);
  return 0;
}
