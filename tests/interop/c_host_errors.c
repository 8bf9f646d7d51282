/* Error paths and small cases of the C host (interop/c/sparsegrad.h); built and run by
 * c_host.test.ts. Prints "ok" and exits 0, or prints the failed check and exits 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparsegrad.h"

#define CHECK(c)                                            \
  do {                                                      \
    if (!(c)) {                                             \
      printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #c); \
      return 1;                                             \
    }                                                       \
  } while (0)

static int selection(sg_ctx* ctx) {
  float g[8] = {1, -5, 2, 0.5f, -3, 4, 0, 7};
  float r[8] = {0};
  uint32_t idx[8];
  float val[8];
  CHECK(sg_topk_ef(ctx, g, r, 8, 3, idx, val) == 3);
  CHECK(idx[0] == 1 && idx[1] == 5 && idx[2] == 7); /* |-5|, |4|, |7|, ascending by index */
  CHECK(val[0] == -5 && val[1] == 4 && val[2] == 7);
  CHECK(r[0] == 1 && r[1] == 0 && r[4] == -3 && r[7] == 0);
  CHECK(sg_topk_ef(ctx, g, r, 8, 1, idx, val) == 1); /* acc = {2,-5,4,1,-6,4,0,7} */
  CHECK(idx[0] == 7 && val[0] == 7 && r[4] == -6 && r[7] == 0);
  float before[8];
  memcpy(before, r, sizeof r);
  g[3] = NAN;
  CHECK(sg_topk_ef(ctx, g, r, 8, 2, idx, val) == SG_E_NONFINITE);
  CHECK(sg_error_index(ctx) == 3);
  CHECK(memcmp(before, r, sizeof r) == 0); /* a failed step changes nothing */
  g[3] = 0.5f;
  CHECK(sg_topk_ef(ctx, g, r, 8, 9, idx, val) == SG_E_ARG);
  CHECK(sg_topk_ef(ctx, NULL, r, 8, 1, idx, val) == SG_E_ARG);
  CHECK(sg_topk_ef(ctx, g, r, 0, 0, idx, val) == 0);
  CHECK(sg_topk_ef(ctx, g, NULL, 8, 8, idx, val) == 8); /* no error feedback */
  CHECK(idx[7] == 7 && val[3] == 0.5f);
  static float big[100000], bigr[100000];
  for (int i = 0; i < 100000; i++) big[i] = (float)((i * 7919) % 100003) - 50000.0f;
  uint32_t bidx[10];
  float bval[10];
  CHECK(sg_topk_ef(ctx, big, bigr, 100000, 10, bidx, bval) == 10); /* the buffers grow */
  for (int j = 1; j < 10; j++) CHECK(bidx[j] > bidx[j - 1]);
  return 0;
}

static int frames(sg_ctx* ctx) {
  /* the worked example of docs/wire-format.md: 101 bytes, CRC-32C 0x339168B1 */
  uint32_t shape[2] = {4, 5}, i1[4] = {3, 7, 8, 17}, i2[1] = {2};
  float v1[4] = {1.5f, -2, 0.25f, 3}, v2[1] = {0.5f};
  sg_tensor t[2] = {{"fc.w", SG_TOPK, 2, shape, 20, 4, i1, v1, SG_RICE, SG_F16},
                    {"b", SG_RANDOMK, -1, NULL, 4, 1, i2, v2, SG_INDEX_AUTO, SG_F32}};
  uint8_t* bytes;
  size_t len;
  CHECK(sg_encode_frame(ctx, 7, t, 2, &bytes, &len) == 0);
  CHECK(len == 101 && bytes[97] == 0xb1 && bytes[100] == 0x33 && bytes[73] == SG_BITMAP);
  sg_decoded_frame* f;
  uint32_t off = 99;
  CHECK(sg_decode_frame(ctx, bytes, len, NULL, &f, &off) == 0 && off == 0);
  CHECK(f->step == 7 && f->count == 2 && f->checksum == 0x339168b1u && f->total_length == 101);
  CHECK(!strcmp(f->tensors[0].name, "fc.w") && f->tensors[0].rank == 2 && f->tensors[0].shape[1] == 5);
  CHECK(f->tensors[0].index_param == 1 && f->tensors[0].indices[3] == 17 && f->tensors[0].values[1] == -2);
  CHECK(f->tensors[1].rank == -1 && f->tensors[1].index_code == SG_BITMAP && f->tensors[1].values[0] == 0.5f);
  sg_decoded_frame_free(f);
  sg_limits lim = {1, -1, 0};
  CHECK(sg_decode_frame(ctx, bytes, len, &lim, &f, &off) == SG_FE_LIMIT && off == 44); /* k of fc.w (4) > 1, at its k field */
  lim.max_elements = -1;
  lim.max_bytes = 100;
  CHECK(sg_decode_frame(ctx, bytes, len, &lim, &f, &off) == SG_FE_LIMIT && off == 0);
  bytes[60] ^= 1;
  CHECK(sg_decode_frame(ctx, bytes, len, NULL, &f, &off) == SG_FE_CHECKSUM && off == 97);
  CHECK(!strcmp(sg_format_error_name(SG_FE_CHECKSUM), "E_CHECKSUM") && sg_format_error_name(0) == NULL);
  CHECK(sg_decode_frame(ctx, bytes, 3, NULL, &f, &off) == SG_FE_TRUNCATED && off == 3);
  free(bytes);
  /* encoder refusals: decreasing indices (status 6 at element 1), NaN (7 at 0), duplicate name (3) */
  uint32_t bad[2] = {5, 4};
  float nan1[1] = {NAN};
  sg_tensor e1 = {"x", SG_TOPK, -1, NULL, 10, 2, bad, v1, SG_COO, SG_F32};
  CHECK(sg_encode_frame(ctx, 0, &e1, 1, &bytes, &len) == SG_E_ENCODE && bytes == NULL);
  CHECK(sg_encode_status(ctx) == 6 && sg_error_index(ctx) == 1 && sg_encode_error_tensor(ctx) == 0);
  sg_tensor e2[2] = {{"x", SG_TOPK, -1, NULL, 4, 1, i2, v2, SG_COO, SG_F32}, {"y", SG_TOPK, -1, NULL, 4, 1, i2, nan1, SG_COO, SG_F32}};
  CHECK(sg_encode_frame(ctx, 0, e2, 2, &bytes, &len) == SG_E_ENCODE);
  CHECK(sg_encode_status(ctx) == 7 && sg_encode_error_tensor(ctx) == 1 && sg_error_index(ctx) == 0);
  e2[1].name = "x";
  e2[1].values = v2;
  CHECK(sg_encode_frame(ctx, 0, e2, 2, &bytes, &len) == SG_E_ENCODE && sg_encode_status(ctx) == 3);
  e2[0].index_code = SG_CSR; /* csr without a rank-2 shape */
  CHECK(sg_encode_frame(ctx, 0, e2, 1, &bytes, &len) == SG_E_ENCODE && sg_encode_status(ctx) == 10);
  CHECK(sg_encode_frame(ctx, 0, NULL, 0, &bytes, &len) == 0 && len == 24); /* empty frame */
  free(bytes);
  /* quantisation: the decoded values (f16 of 1/3, int8 with scale 3/127, ternary ±mean) */
  float q[3], in[3] = {1.0f / 3, -3, 0.5f};
  CHECK(sg_quantize(ctx, in, 3, SG_F32, q) == 0 && memcmp(q, in, sizeof q) == 0);
  CHECK(sg_quantize(ctx, in, 3, SG_F16, q) == 0 && q[0] == 0.333251953125f && q[1] == -3);
  CHECK(sg_quantize(ctx, in, 3, SG_INT8, q) == 0 && q[1] == -127 * (3.0f / 127));
  CHECK(sg_quantize(ctx, in, 3, SG_TERNARY, q) == 0 && q[0] == -q[1] && q[2] == q[0]);
  CHECK(sg_quantize(ctx, in, 3, 9, q) == SG_E_ENCODE && sg_encode_status(ctx) == 8);
  CHECK(sg_quantize(ctx, in, 0, SG_INT8, q) == 0);
  return 0;
}

int main(void) {
  sg_ctx* ctx = sg_open();
  CHECK(ctx != NULL);
  CHECK(sg_core_abi_version(ctx) == 1 && sg_wire_format_version(ctx) == 1);
  if (selection(ctx) || frames(ctx)) return 1;
  sg_ctx* two = sg_open(); /* a second, independent instance */
  uint32_t idx[2];
  float val[2], g[3] = {1, 2, 3};
  CHECK(two != NULL && sg_topk_ef(two, g, NULL, 3, 2, idx, val) == 2 && idx[0] == 1);
  sg_close(two);
  sg_close(ctx);
  sg_close(NULL);
  sg_decoded_frame_free(NULL);
  printf("ok\n");
  return 0;
}
