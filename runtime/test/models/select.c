/* A second hand-written model (CPU target, no backward, no weights):
 *   out0 = where(mask, a, 0)       a: int32 [n], mask: bool [n], n in 1..8
 *   out1 = out0 (the same allocation returned twice)
 *   out2 = float(scale)            scale: bfloat16 []
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { void *alloc, *aligned; int64_t offset; } M0;
typedef struct { void *alloc, *aligned; int64_t offset, sizes[1], strides[1]; } M1;

const char thunder_model_meta[] =
    "{\"version\": 1, \"name\": \"select\", \"target\": \"cpu\","
    " \"symbols\": [{\"name\": \"n\", \"min\": 1, \"max\": 8}],"
    " \"inputs\": [{\"name\": \"a\", \"dtype\": \"int32\", \"shape\": [\"n\"]},"
    "              {\"name\": \"mask\", \"dtype\": \"bool\", \"shape\": [\"n\"]},"
    "              {\"name\": \"scale\", \"dtype\": \"bfloat16\", \"shape\": []}],"
    " \"outputs\": [{\"name\": \"out0\", \"dtype\": \"int32\", \"shape\": [\"n\"]},"
    "               {\"name\": \"out1\", \"dtype\": \"int32\", \"shape\": [\"n\"]},"
    "               {\"name\": \"out2\", \"dtype\": \"float32\", \"shape\": []}],"
    " \"entries\": {\"forward\": {\"args\": [\"input:0\", \"input:1\", \"input:2\"],"
    "                            \"results\": [\"output:0\", \"output:1\", \"output:2\"]}}}";

void thunder_entry_forward(void **args) {
  char *res = (char *)args[0];
  const M1 *a = (const M1 *)args[1], *mask = (const M1 *)args[2];
  const M0 *scale = (const M0 *)args[3];
  M1 *o0 = (M1 *)res, *o1 = (M1 *)(res + sizeof(M1));
  M0 *o2 = (M0 *)(res + 2 * sizeof(M1));
  int64_t n = a->sizes[0];
  int32_t *out = (int32_t *)malloc(sizeof(int32_t) * (size_t)(n + 1));
  const int32_t *ad = (const int32_t *)a->aligned + a->offset;
  const uint8_t *md = (const uint8_t *)mask->aligned + mask->offset;
  for (int64_t i = 0; i < n; ++i)
    out[i] = md[i] ? ad[i] : 0;
  o0->alloc = o0->aligned = out;
  o0->offset = 0;
  o0->sizes[0] = n;
  o0->strides[0] = 1;
  *o1 = *o0;
  uint16_t bits = *((const uint16_t *)scale->aligned + scale->offset);
  uint32_t fbits = (uint32_t)bits << 16;
  float *f = (float *)malloc(sizeof(float));
  memcpy(f, &fbits, 4);
  o2->alloc = o2->aligned = f;
  o2->offset = 0;
}
