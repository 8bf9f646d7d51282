/*
 * sg_decode: decode and validate a sparsegrad frame with the Wasm core through the C host.
 *
 *   sg_decode FRAME [--max-bytes N] [--max-elements N] [--allow-nonfinite] [--mask NAME=I,J,...]...
 *
 * Prints the decoded frame as one line of JSON with the field names of the golden vectors'
 * `decoded` objects (tests/vectors, values as f32 hex patterns), exit status 0; a bad frame: one line
 * "error: CODE at offset N" on stderr, exit status 1; bad usage: exit status 2. Each --mask puts a
 * mask in the receiver's mask store (for mask sections sent without their mask; an empty list is
 * `NAME=`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparsegrad.h"

static const char* const METHODS[] = {"topk", "threshold", "percentile", "randomk", "probabilistic",
                                      "approx-topk", "global-topk", "hybrid", "", "", "", "", "", "", "", "",
                                      "block", "channel", "head", "row", "column", "nm", "mask"};
static const char* const UNITS[] = {"element", "rect", "nm", "mask"};

/* The mask store given with --mask. */
typedef struct mask_entry {
  const char* name;
  size_t name_len;
  uint32_t* idx;
  uint32_t count;
} mask_entry;
typedef struct mask_store {
  mask_entry* e;
  uint32_t count;
} mask_store;

static const uint32_t* lookup(void* user, const char* name, uint32_t* count) {
  const mask_store* st = user;
  for (uint32_t i = 0; i < st->count; i++) {
    if (strlen(name) == st->e[i].name_len && !memcmp(name, st->e[i].name, st->e[i].name_len)) {
      *count = st->e[i].count;
      return st->e[i].idx;
    }
  }
  return NULL;
}

/* Parses NAME=I,J,... into the store; 0 on success. */
static int add_mask(mask_store* st, const char* arg) {
  const char* eq = strrchr(arg, '=');
  if (!eq || eq == arg) return -1;
  mask_entry* grown = realloc(st->e, (st->count + 1) * sizeof *grown);
  if (!grown) return -1;
  st->e = grown;
  mask_entry* m = &st->e[st->count];
  m->name = arg;
  m->name_len = (size_t)(eq - arg);
  m->count = 0;
  m->idx = malloc(strlen(eq) * sizeof *m->idx + 4);
  if (!m->idx) return -1;
  for (const char* p = eq + 1; *p;) {
    char* end;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p || v > 0xFFFFFFFFul) return -1;
    m->idx[m->count++] = (uint32_t)v;
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return -1;
  }
  st->count++;
  return 0;
}
static const char* const INDEX_CODES[] = {"coo", "csr", "bitmap", "rle", "varint", "rice"};
static const char* const VALUE_CODES[] = {"f32", "f16", "bf16", "int8", "ternary"};

/* A JSON string of UTF-8 bytes (already validated by the decoder): escapes quotes, backslashes and
 * control characters; other bytes pass through. */
static void json_string(const char* s, uint32_t len) {
  putchar('"');
  for (uint32_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void print_frame(const sg_decoded_frame* f) {
  printf("{\"version\":1,\"step\":%u,\"totalBytes\":%u,\"checksum\":\"%08x\",\"tensors\":[", f->step,
         f->total_length, f->checksum);
  for (uint32_t t = 0; t < f->count; t++) {
    const sg_decoded_tensor* d = &f->tensors[t];
    printf("%s{\"name\":", t ? "," : "");
    json_string(d->name, d->name_len);
    printf(",\"method\":\"%s\",\"length\":%u,\"shape\":", METHODS[d->method], d->length);
    if (d->rank < 0) {
      printf("null");
    } else {
      putchar('[');
      for (int32_t r = 0; r < d->rank; r++) printf("%s%u", r ? "," : "", d->shape[r]);
      putchar(']');
    }
    printf(",\"indexCode\":\"%s\",\"valueCode\":\"%s\",\"indexParam\":%u,\"valueParamF32Hex\":\"%08x\","
           "\"indexBytes\":%u,\"valueBytes\":%u,\"sectionBytes\":%u,\"indices\":[",
           INDEX_CODES[d->index_code], VALUE_CODES[d->value_code], d->index_param, d->value_param_bits,
           d->index_bytes, d->value_bytes, d->section_bytes);
    for (uint32_t j = 0; j < d->k; j++) printf("%s%u", j ? "," : "", d->indices[j]);
    printf("],\"valuesF32Hex\":[");
    for (uint32_t j = 0; j < d->k; j++) {
      uint32_t bits;
      memcpy(&bits, &d->values[j], 4);
      printf("%s\"%08x\"", j ? "," : "", bits);
    }
    putchar(']');
    if (d->unit != SG_UNIT_ELEMENT) printf(",\"unit\":\"%s\"", UNITS[d->unit]);
    if (d->unit == SG_UNIT_RECT) {
      printf(",\"units\":[");
      for (uint32_t j = 0; j < d->unit_count; j++) printf("%s%u", j ? "," : "", d->units[j]);
      printf("],\"unitDims\":[");
      for (int32_t r = 0; r < d->rank; r++) printf("%s%u", r ? "," : "", d->unit_dims[r]);
      putchar(']');
    }
    if (d->unit == SG_UNIT_NM) printf(",\"nm\":[%u,%u]", d->nm_n, d->nm_m);
    if (d->unit == SG_UNIT_MASK) printf(",\"maskSent\":%s", d->mask_sent ? "true" : "false");
    putchar('}');
  }
  printf("]}\n");
}

int main(int argc, char** argv) {
  const char* path = NULL;
  sg_limits limits = {-1, -1, 0};
  mask_store store = {NULL, 0};
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--mask") && i + 1 < argc) {
      if (add_mask(&store, argv[++i])) path = NULL, i = argc;
    } else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc) limits.max_bytes = strtod(argv[++i], NULL);
    else if (!strcmp(argv[i], "--max-elements") && i + 1 < argc) limits.max_elements = strtod(argv[++i], NULL);
    else if (!strcmp(argv[i], "--allow-nonfinite")) limits.allow_nonfinite = 1;
    else if (argv[i][0] != '-' && !path) path = argv[i];
    else path = NULL, i = argc;
  }
  if (!path) {
    fprintf(stderr, "usage: sg_decode FRAME [--max-bytes N] [--max-elements N] [--allow-nonfinite] [--mask NAME=I,J,...]...\n");
    return 2;
  }
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "error: cannot open %s\n", path);
    return 1;
  }
  size_t cap = 1 << 16, len = 0, got;
  uint8_t* bytes = malloc(cap);
  while (bytes && (got = fread(bytes + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) bytes = realloc(bytes, cap *= 2);
  }
  fclose(f);
  if (!bytes) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  sg_ctx* ctx = sg_open();
  if (!ctx) {
    fprintf(stderr, "error: sg_open failed\n");
    return 1;
  }
  sg_decoded_frame* frame = NULL;
  uint32_t offset = 0;
  int rc = sg_decode_frame(ctx, bytes, len, &limits, &frame, &offset);
  free(bytes);
  if (rc == 0) {
    rc = sg_resolve_masks(frame, lookup, &store, &offset);
    if (rc != 0) sg_decoded_frame_free(frame);
  }
  for (uint32_t i = 0; i < store.count; i++) free(store.e[i].idx);
  free(store.e);
  if (rc != 0) {
    const char* name = sg_format_error_name(rc);
    if (name) fprintf(stderr, "error: %s at offset %u\n", name, (unsigned)offset);
    else fprintf(stderr, "error: sg_decode_frame failed (%d)\n", rc);
    sg_close(ctx);
    return 1;
  }
  print_frame(frame);
  sg_decoded_frame_free(frame);
  sg_close(ctx);
  return 0;
}
