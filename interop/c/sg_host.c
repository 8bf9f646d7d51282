/*
 * The C ABI of sparsegrad.h over the wasm2c translation of the scalar Wasm core.
 * Generated names (wasm2c 1.0.32, module name "sparsegrad_core", see build.sh):
 *   Z_sparsegrad_core_init_module / _instantiate / _free, the instance struct
 *   Z_sparsegrad_core_instance_t with its linear memory in the field w2c_memory, exports as
 *   Z_sparsegrad_coreZ_<name>(instance, ...), and the import env.abort as the host function
 *   Z_envZ_abort(struct Z_env_instance_t*, msg, file, line, col).
 * Core ABI: assembly/index.ts (selection) and assembly/codec_abi.ts (sg_frame_*, sg_decode*).
 * Traps: wasm_rt_impl_try() (a setjmp) must be armed in the frame that calls into the module.
 * memory.grow may move the memory's data pointer: it is re-read after every call into the core.
 */
#include "sparsegrad.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sparsegrad_core.h"
#include "wasm-rt-impl.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sparsegrad C host: little-endian hosts only"
#endif

/* The import environment: env.abort needs the instance to read its message strings. */
struct Z_env_instance_t {
  Z_sparsegrad_core_instance_t* core;
};

struct sg_ctx {
  Z_sparsegrad_core_instance_t core;
  struct Z_env_instance_t env;
  uint32_t s, r, cap;       /* top-k input and residual buffers in Wasm memory, capacity in elements */
  uint32_t buf, buf_cap;    /* scratch block for frame encoding/decoding, capacity in bytes */
  uint32_t err_index, err_tensor;
  int enc_status;
};

#define X(name) Z_sparsegrad_coreZ_##name
#define CORE (&ctx->core)
/* Largest block the host asks the core for (Wasm memory is at most 4 GiB). */
#define MAX_BLOCK 0xF0000000u

static uint8_t* mem(sg_ctx* ctx) { return ctx->core.w2c_memory.data; }

/* Writes an AssemblyScript string (UTF-16LE, byte length in the u32 before it) as ASCII. */
static void print_as_string(Z_sparsegrad_core_instance_t* core, uint32_t ptr) {
  const wasm_rt_memory_t* m = &core->w2c_memory;
  if (ptr < 4 || ptr > m->size) {
    fputs("?", stderr);
    return;
  }
  uint32_t bytes;
  memcpy(&bytes, m->data + ptr - 4, 4);
  if (bytes > m->size - ptr) bytes = m->size - ptr;
  for (uint32_t i = 0; i + 1 < bytes; i += 2) {
    uint16_t c = (uint16_t)(m->data[ptr + i] | (m->data[ptr + i + 1] << 8));
    fputc(c >= 0x20 && c < 0x7f ? (int)c : '?', stderr);
  }
}

/* The module's only import. AssemblyScript calls it on a failed assertion or when memory cannot
 * grow; the core's state is then unusable, so the process ends. */
void Z_envZ_abort(struct Z_env_instance_t* env, u32 msg, u32 file, u32 line, u32 col) {
  fputs("sparsegrad: wasm core aborted: ", stderr);
  if (env && env->core) {
    if (msg) print_as_string(env->core, msg);
    fputs(" at ", stderr);
    if (file) print_as_string(env->core, file);
  }
  fprintf(stderr, ":%u:%u\n", (unsigned)line, (unsigned)col);
  exit(70);
}

sg_ctx* sg_open(void) {
  static int module_ready = 0;
  if (!wasm_rt_is_initialized()) wasm_rt_init();
  if (!module_ready) {
    Z_sparsegrad_core_init_module();
    module_ready = 1;
  }
  sg_ctx* ctx = calloc(1, sizeof *ctx);
  if (!ctx) return NULL;
  ctx->env.core = &ctx->core;
  if (wasm_rt_impl_try() != 0) { /* a trap while instantiating */
    free(ctx);
    return NULL;
  }
  Z_sparsegrad_core_instantiate(&ctx->core, &ctx->env);
  /* Key the core's name-set hash with unpredictable bits (crafted names cannot force collisions). */
  uint32_t seed[2] = {0, 0};
  if (getentropy(seed, sizeof seed) != 0) {
    seed[0] = (uint32_t)time(NULL);
    seed[1] = (uint32_t)(uintptr_t)ctx;
  }
  X(sg_codec_seed)(CORE, seed[0], seed[1]);
  return ctx;
}

void sg_close(sg_ctx* ctx) {
  if (!ctx) return;
  Z_sparsegrad_core_free(&ctx->core);
  free(ctx);
}

uint32_t sg_core_abi_version(sg_ctx* ctx) {
  if (wasm_rt_impl_try() != 0) return 0;
  return X(sg_abi_version)(CORE);
}

uint32_t sg_wire_format_version(sg_ctx* ctx) {
  if (wasm_rt_impl_try() != 0) return 0;
  return X(sg_wire_version)(CORE);
}

uint32_t sg_error_index(sg_ctx* ctx) { return ctx ? ctx->err_index : 0; }
int sg_encode_status(sg_ctx* ctx) { return ctx ? ctx->enc_status : 0; }
uint32_t sg_encode_error_tensor(sg_ctx* ctx) { return ctx ? ctx->err_tensor : 0; }

int sg_topk_ef(sg_ctx* ctx, const float* grad, float* residual, uint32_t n, uint32_t k,
               uint32_t* out_idx, float* out_val) {
  if (!ctx || (n > 0 && !grad) || (k > 0 && (!out_idx || !out_val)) || k > n) return SG_E_ARG;
  if ((uint64_t)n * 4 > MAX_BLOCK / 2) return SG_E_ARG;
  if (wasm_rt_impl_try() != 0) return SG_E_TRAP;
  if (n > ctx->cap || ctx->s == 0) { /* grow the two buffers (contents need not survive) */
    if (ctx->s) X(sg_free)(CORE, ctx->s);
    if (ctx->r) X(sg_free)(CORE, ctx->r);
    ctx->s = ctx->r = 0;
    uint32_t bytes = n ? n * 4 : 4;
    ctx->s = X(sg_alloc)(CORE, bytes);
    ctx->r = X(sg_alloc)(CORE, bytes);
    ctx->cap = n;
  }
  if (n) memcpy(mem(ctx) + ctx->s, grad, (size_t)n * 4);
  if (n && residual) memcpy(mem(ctx) + ctx->r, residual, (size_t)n * 4);
  int32_t rc = (int32_t)X(sg_topk)(CORE, ctx->s, residual ? ctx->r : 0, n, k, 0);
  if (rc < 0) {
    ctx->err_index = X(sg_error_index)(CORE);
    return SG_E_NONFINITE;
  }
  uint32_t pi = X(sg_result_indices)(CORE);
  uint32_t pv = X(sg_result_values)(CORE);
  if (rc > 0) {
    memcpy(out_idx, mem(ctx) + pi, (size_t)rc * 4);
    memcpy(out_val, mem(ctx) + pv, (size_t)rc * 4);
  }
  if (n && residual) memcpy(residual, mem(ctx) + ctx->s, (size_t)n * 4); /* s now holds acc - sent */
  return rc;
}

/* A scratch block of at least `bytes` in Wasm memory (contents not kept). Call under a try. */
static uint32_t scratch(sg_ctx* ctx, uint64_t bytes) {
  if (bytes > ctx->buf_cap || ctx->buf == 0) {
    if (ctx->buf) X(sg_free)(CORE, ctx->buf);
    uint64_t want = bytes < 256 ? 256 : bytes + bytes / 2;
    if (want > MAX_BLOCK) want = bytes;
    ctx->buf = X(sg_alloc)(CORE, (uint32_t)want);
    ctx->buf_cap = (uint32_t)want;
  }
  return ctx->buf;
}

static uint64_t align16(uint64_t x) { return (x + 15) & ~(uint64_t)15; }

/* Copies one tensor into scratch and appends its section; the core's status. Call under a try. */
static int add_tensor(sg_ctx* ctx, const sg_tensor* t, uint32_t name_len) {
  uint32_t rank = t->rank < 0 ? 0 : (uint32_t)t->rank;
  uint64_t o_shape = align16(name_len), o_idx = align16(o_shape + 4ull * rank);
  uint64_t o_val = align16(o_idx + 4ull * t->k), total = o_val + 4ull * t->k;
  uint32_t base = scratch(ctx, total);
  uint8_t* m = mem(ctx);
  memcpy(m + base, t->name, name_len);
  if (rank) memcpy(m + base + o_shape, t->shape, 4ull * rank);
  if (t->k) {
    memcpy(m + base + o_idx, t->indices, 4ull * t->k);
    memcpy(m + base + o_val, t->values, 4ull * t->k);
  }
  return (int)(int32_t)X(sg_frame_add_tensor)(CORE, base, name_len, t->method, base + (uint32_t)o_shape,
                                               (uint32_t)t->rank, t->length, base + (uint32_t)o_idx,
                                               base + (uint32_t)o_val, t->k, t->index_code, t->value_code);
}

static int check_tensor(const sg_tensor* t, size_t* name_len) {
  if (!t->name || (t->rank > 0 && !t->shape) || (t->k > 0 && (!t->indices || !t->values))) return SG_E_ARG;
  if (t->rank > 16) return SG_E_ARG;
  *name_len = strlen(t->name);
  uint64_t bytes = align16(*name_len) + 64 + 8ull * t->k + 64;
  return (*name_len > 0xFFFF || bytes > MAX_BLOCK / 2) ? SG_E_ARG : 0;
}

int sg_encode_frame(sg_ctx* ctx, uint32_t step, const sg_tensor* tensors, uint32_t count,
                    uint8_t** out, size_t* out_len) {
  if (!ctx || !out || !out_len || (count > 0 && !tensors)) return SG_E_ARG;
  *out = NULL;
  *out_len = 0;
  ctx->enc_status = 0;
  ctx->err_tensor = 0;
  for (uint32_t j = 0; j < count; j++) {
    size_t nl;
    if (check_tensor(&tensors[j], &nl) != 0) {
      ctx->err_tensor = j;
      return SG_E_ARG;
    }
  }
  if (wasm_rt_impl_try() != 0) return SG_E_TRAP;
  X(sg_frame_begin)(CORE, step);
  for (uint32_t j = 0; j < count; j++) {
    size_t nl = strlen(tensors[j].name);
    int st = add_tensor(ctx, &tensors[j], (uint32_t)nl);
    if (st != 0) {
      ctx->enc_status = st;
      ctx->err_tensor = j;
      ctx->err_index = X(sg_frame_error_index)(CORE);
      return SG_E_ENCODE;
    }
  }
  uint32_t len = X(sg_frame_finish)(CORE);
  if (len == 0) {
    ctx->enc_status = (int)(int32_t)X(sg_frame_status)(CORE);
    ctx->err_tensor = count;
    return SG_E_ENCODE;
  }
  uint8_t* bytes = malloc(len);
  if (!bytes) return SG_E_NOMEM;
  memcpy(bytes, mem(ctx) + X(sg_frame_bytes)(CORE), len);
  *out = bytes;
  *out_len = len;
  return 0;
}

int sg_quantize(sg_ctx* ctx, const float* values, uint32_t k, uint32_t value_code, float* out) {
  if (!ctx || (k > 0 && (!values || !out)) || (uint64_t)k * 8 > MAX_BLOCK / 2) return SG_E_ARG;
  ctx->enc_status = 0;
  /* Encode the values as one tensor (indices 0..k-1), then decode: the decoded value is the value sent. */
  uint32_t* volatile idx = malloc(k ? (size_t)k * 4 : 1); /* volatile: read after a longjmp */
  if (!idx) return SG_E_NOMEM;
  for (uint32_t j = 0; j < k; j++) idx[j] = j;
  sg_tensor t = {"q", SG_TOPK, -1, NULL, k, k, idx, values, SG_COO, value_code};
  if (wasm_rt_impl_try() != 0) {
    free(idx);
    return SG_E_TRAP;
  }
  X(sg_frame_begin)(CORE, 0);
  int st = add_tensor(ctx, &t, 1);
  uint32_t len = st == 0 ? X(sg_frame_finish)(CORE) : 0;
  free(idx);
  idx = NULL;
  if (st != 0 || len == 0) {
    ctx->enc_status = st != 0 ? st : (int)(int32_t)X(sg_frame_status)(CORE);
    ctx->err_index = X(sg_frame_error_index)(CORE);
    ctx->err_tensor = 0;
    return SG_E_ENCODE;
  }
  int32_t rc = (int32_t)X(sg_decode)(CORE, X(sg_frame_bytes)(CORE), len, INFINITY, INFINITY, 0);
  if (rc != 0) return SG_E_TRAP; /* not expected: the core decodes what it encoded */
  if (k) memcpy(out, mem(ctx) + X(sg_decode_values)(CORE, 0), (size_t)k * 4);
  X(sg_decode_release)(CORE);
  return 0;
}

static const char* const FORMAT_ERRORS[] = {
  NULL, "E_LIMIT", "E_TRUNCATED", "E_MAGIC", "E_VERSION", "E_LENGTH", "E_TRAILING", "E_CHECKSUM",
  "E_RESERVED", "E_COUNT", "E_NAME", "E_CODE", "E_SHAPE", "E_PARAM", "E_INDEX_RANGE",
  "E_INDEX_ORDER", "E_VARINT", "E_VALUE", "E_NONFINITE_VALUE", "E_MASK"};

const char* sg_format_error_name(int code) {
  return code >= 1 && code <= SG_FE_MASK ? FORMAT_ERRORS[code] : NULL;
}

void sg_decoded_frame_free(sg_decoded_frame* f) {
  if (!f) return;
  for (uint32_t t = 0; f->tensors && t < f->count; t++) {
    free(f->tensors[t].name);
    free(f->tensors[t].indices);
    free(f->tensors[t].values);
    free(f->tensors[t].units);
  }
  free(f->tensors);
  free(f);
}

/* Copies the core's decode results into malloc'd structs. Call under a try, before release. */
static int copy_decoded(sg_ctx* ctx, sg_decoded_frame** out) {
  sg_decoded_frame* f = calloc(1, sizeof *f);
  if (!f) return SG_E_NOMEM;
  f->step = X(sg_decode_step)(CORE);
  f->total_length = X(sg_decode_total_length)(CORE);
  f->checksum = X(sg_decode_checksum)(CORE);
  uint32_t count = X(sg_decode_tensor_count)(CORE);
  f->tensors = count ? calloc(count, sizeof *f->tensors) : NULL;
  if (count && !f->tensors) {
    free(f);
    return SG_E_NOMEM;
  }
  f->count = count;
  for (uint32_t t = 0; t < count; t++) {
    sg_decoded_tensor* d = &f->tensors[t];
#define FIELD(i) X(sg_decode_field)(CORE, t, (i))
    d->name_len = FIELD(1);
    d->method = FIELD(2);
    d->index_code = FIELD(4);
    d->value_code = FIELD(5);
    d->rank = FIELD(3) ? (int32_t)FIELD(6) : -1;
    for (int32_t r = 0; r < d->rank && r < 16; r++) d->shape[r] = X(sg_decode_dim)(CORE, t, (uint32_t)r);
    d->length = FIELD(8);
    d->k = FIELD(9);
    d->index_param = FIELD(10);
    d->value_param_bits = FIELD(11);
    d->index_bytes = FIELD(12);
    d->value_bytes = FIELD(13);
    d->section_bytes = FIELD(15);
    d->section_offset = FIELD(14);
    d->unit = FIELD(20);
    d->mask_sent = d->unit == SG_UNIT_MASK && (FIELD(21) & 2) != 0;
    d->unit_count = d->unit == SG_UNIT_RECT ? FIELD(23) : 0;
    d->nm_n = FIELD(25);
    d->nm_m = FIELD(26);
    uint32_t pi = FIELD(16), pv = FIELD(17), pu = FIELD(24), pn = X(sg_decode_name)(CORE, t);
#undef FIELD
    for (int32_t r = 0; d->unit == SG_UNIT_RECT && r < d->rank && r < 16; r++)
      d->unit_dims[r] = X(sg_decode_unit_dim)(CORE, t, (uint32_t)r);
    int stored = d->unit == SG_UNIT_MASK && !d->mask_sent; /* indices come from the mask store */
    d->name = malloc((size_t)d->name_len + 1);
    d->indices = stored ? NULL : malloc(d->k ? (size_t)d->k * 4 : 1);
    d->values = malloc(d->k ? (size_t)d->k * 4 : 1);
    d->units = d->unit == SG_UNIT_RECT ? malloc(d->unit_count ? (size_t)d->unit_count * 4 : 1) : NULL;
    if (!d->name || (!stored && !d->indices) || !d->values || (d->unit == SG_UNIT_RECT && !d->units)) {
      sg_decoded_frame_free(f);
      return SG_E_NOMEM;
    }
    memcpy(d->name, mem(ctx) + pn, d->name_len);
    d->name[d->name_len] = 0;
    if (d->k) {
      if (!stored) memcpy(d->indices, mem(ctx) + pi, (size_t)d->k * 4);
      memcpy(d->values, mem(ctx) + pv, (size_t)d->k * 4);
    }
    if (d->unit_count) memcpy(d->units, mem(ctx) + pu, (size_t)d->unit_count * 4);
  }
  *out = f;
  return 0;
}

int sg_decode_frame(sg_ctx* ctx, const uint8_t* bytes, size_t len, const sg_limits* limits,
                    sg_decoded_frame** out, uint32_t* error_offset) {
  if (!ctx || !out || (len > 0 && !bytes) || len > MAX_BLOCK) return SG_E_ARG;
  *out = NULL;
  if (error_offset) *error_offset = 0;
  double max_el = limits && limits->max_elements >= 0 ? limits->max_elements : INFINITY;
  double max_by = limits && limits->max_bytes >= 0 ? limits->max_bytes : INFINITY;
  if ((double)len > max_by) return SG_FE_LIMIT; /* spec check 1, before copying untrusted bytes */
  if (wasm_rt_impl_try() != 0) return SG_E_TRAP;
  uint32_t p = scratch(ctx, len ? len : 1);
  if (len) memcpy(mem(ctx) + p, bytes, len);
  int32_t rc = (int32_t)X(sg_decode)(CORE, p, (uint32_t)len, max_el, max_by, limits && limits->allow_nonfinite ? 1 : 0);
  if (rc != 0) {
    if (error_offset) *error_offset = X(sg_decode_error_offset)(CORE);
    return rc;
  }
  int st = copy_decoded(ctx, out);
  X(sg_decode_release)(CORE);
  return st;
}

int sg_resolve_masks(sg_decoded_frame* f, sg_mask_lookup lookup, void* user, uint32_t* error_offset) {
  if (!f || !lookup) return SG_E_ARG;
  if (error_offset) *error_offset = 0;
  for (uint32_t t = 0; t < f->count; t++) {
    sg_decoded_tensor* d = &f->tensors[t];
    if (d->unit != SG_UNIT_MASK || d->mask_sent || d->indices) continue;
    uint32_t count = 0;
    const uint32_t* m = lookup(user, d->name, &count);
    int ok = m != NULL && count == d->k;
    for (uint32_t j = 0; ok && j < count; j++) ok = m[j] < d->length && (j == 0 || m[j] > m[j - 1]);
    if (!ok) {
      if (error_offset) *error_offset = d->section_offset;
      return SG_FE_MASK;
    }
    d->indices = malloc(d->k ? (size_t)d->k * 4 : 1);
    if (!d->indices) return SG_E_NOMEM;
    if (d->k) memcpy(d->indices, m, (size_t)d->k * 4);
  }
  return 0;
}
