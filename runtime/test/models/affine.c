/* A hand-written stand-in for what thunderc emits (docs/model-abi.md), CPU target.
 *
 *   y      = x * w + b * c        x: [s0, 4] (s0 in 1..64), w, b: [4] params, c: constant 1.0
 *   rowsum = sum_j y[:, j]        [s0]
 *   counter += 1                  int64 buffer, mutated
 *   saved: x (returned as the input's own pointer: the runtime must copy it),
 *          w (the parameter's own pointer: the runtime may borrow it)
 *
 * Layout tricks the runtime must handle: y is returned column-major (strides
 * [1, s0]) so it has to be gathered; rowsum has aligned != allocated and a
 * non-zero offset. With -DAFFINE_SCALE=k the model computes k * y (a second,
 * different model built from the same source). With -DAFFINE_EXTERNAL_WEIGHTS the
 * .so holds no weights, as thunderc --weights=external makes it: they come from a
 * weights file or the caller's tensors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef AFFINE_SCALE
#define AFFINE_SCALE 1
#endif
#ifdef AFFINE_EXTERNAL_WEIGHTS
#define WEIGHTS_META " \"weights\": \"external\", \"weights_size\": 256,"
#else
#define WEIGHTS_META ""
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

typedef struct { void *alloc, *aligned; int64_t offset; } M0;
typedef struct { void *alloc, *aligned; int64_t offset, sizes[1], strides[1]; } M1;
typedef struct { void *alloc, *aligned; int64_t offset, sizes[2], strides[2]; } M2;

const char thunder_model_meta[] =
    "{\"version\": 1, \"name\": \"affine" STR(AFFINE_SCALE) "\", \"target\": \"cpu\"," WEIGHTS_META
    " \"symbols\": [{\"name\": \"s0\", \"min\": 1, \"max\": 64}],"
    " \"inputs\": [{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [\"s0\", 4]}],"
    " \"outputs\": [{\"name\": \"y\", \"dtype\": \"float32\", \"shape\": [\"s0\", 4]},"
    "               {\"name\": \"rowsum\", \"dtype\": \"float32\", \"shape\": [\"s0\"]}],"
    " \"params\": [{\"name\": \"lin.weight\", \"dtype\": \"float32\", \"shape\": [4], \"offset\": 0, \"nbytes\": 16},"
    "              {\"name\": \"lin.bias\", \"dtype\": \"float32\", \"shape\": [4], \"offset\": 64, \"nbytes\": 16}],"
    " \"buffers\": [{\"name\": \"counter\", \"dtype\": \"int64\", \"shape\": [], \"offset\": 128, \"nbytes\": 8, \"persistent\": true}],"
    " \"constants\": [{\"name\": \"c\", \"dtype\": \"float32\", \"shape\": [], \"offset\": 192, \"nbytes\": 4}],"
    " \"entries\": {"
    "   \"forward\": {\"args\": [\"param:0\", \"param:1\", \"buffer:0\", \"constant:0\", \"input:0\"],"
    "                 \"results\": [\"output:0\", \"output:1\", \"mutated_buffer:0\", \"saved:0\", \"saved:1\"]},"
    "   \"backward\": {\"args\": [\"saved:0\", \"saved:1\", \"cotangent:0\", \"cotangent:1\"],"
    "                  \"results\": [\"grad_param:0\", \"grad_param:1\", \"grad_input:0\"]}},"
    " \"mutated_buffers\": [0],"
    " \"saved\": [{\"dtype\": \"float32\", \"rank\": 2}, {\"dtype\": \"float32\", \"rank\": 1}],"
    " \"grad_inputs\": [0], \"grad_params\": [0, 1]}";

/* w = [1, 2, 3, 4] at 0; b = [0.5, -0.5, 0.25, -0.25] at 64; counter = 41 at 128; c = 1.0 at 192. */
typedef struct {
  float w[16];
  float b[16];
  int64_t counter[8];
  float c[16];
} Weights;
#ifdef AFFINE_EXTERNAL_WEIGHTS
const uint8_t thunder_model_weights[64] __attribute__((aligned(64))) = {0};
const uint64_t thunder_model_weights_size = 0;
#else
const Weights thunder_model_weights __attribute__((aligned(64))) = {
    {1, 2, 3, 4}, {0.5f, -0.5f, 0.25f, -0.25f}, {41}, {1.0f}};
const uint64_t thunder_model_weights_size = sizeof(Weights);
#endif

static void *alignUp(void *p, uintptr_t a) {
  return (void *)(((uintptr_t)p + a - 1) & ~(a - 1));
}

void thunder_entry_forward(void **args) {
  char *res = (char *)args[0];
  const M1 *w = (const M1 *)args[1], *b = (const M1 *)args[2];
  const M0 *counter = (const M0 *)args[3], *c = (const M0 *)args[4];
  const M2 *x = (const M2 *)args[5];
  M2 *y = (M2 *)res;
  M1 *rowsum = (M1 *)(res + sizeof(M2));
  M0 *newCounter = (M0 *)(res + sizeof(M2) + sizeof(M1));
  M2 *savedX = (M2 *)(res + sizeof(M2) + sizeof(M1) + sizeof(M0));
  M1 *savedW = (M1 *)(res + 2 * sizeof(M2) + sizeof(M1) + sizeof(M0));

  int64_t n = x->sizes[0];
  const float *xd = (const float *)x->aligned + x->offset;
  const float *wd = (const float *)w->aligned + w->offset;
  const float *bd = (const float *)b->aligned + b->offset;
  float cv = *((const float *)c->aligned + c->offset);

  /* y: column-major. */
  float *yd = (float *)malloc(sizeof(float) * (size_t)(n * 4 + 1));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 4; ++j)
      yd[j * n + i] = AFFINE_SCALE * (xd[i * x->strides[0] + j * x->strides[1]] * wd[j] + bd[j] * cv);
  y->alloc = y->aligned = yd;
  y->offset = 0;
  y->sizes[0] = n; y->sizes[1] = 4;
  y->strides[0] = 1; y->strides[1] = n;

  /* rowsum: aligned != allocated, offset 3. */
  void *raw = malloc(sizeof(float) * (size_t)(n + 3) + 64);
  float *al = (float *)alignUp(raw, 64);
  for (int64_t i = 0; i < n; ++i) {
    float s = 0;
    for (int j = 0; j < 4; ++j)
      s += yd[j * n + i];
    al[3 + i] = s;
  }
  rowsum->alloc = raw;
  rowsum->aligned = al;
  rowsum->offset = 3;
  rowsum->sizes[0] = n;
  rowsum->strides[0] = 1;

  int64_t *cnt = (int64_t *)malloc(sizeof(int64_t));
  *cnt = *((const int64_t *)counter->aligned + counter->offset) + 1;
  newCounter->alloc = newCounter->aligned = cnt;
  newCounter->offset = 0;

  *savedX = *x; /* the input itself */
  *savedW = *w; /* the parameter itself */
}

void thunder_entry_backward(void **args) {
  char *res = (char *)args[0];
  const M2 *x = (const M2 *)args[1];
  const M1 *w = (const M1 *)args[2];
  const M2 *g0 = (const M2 *)args[3];
  const M1 *g1 = (const M1 *)args[4];
  M1 *dw = (M1 *)res;
  M1 *db = (M1 *)(res + sizeof(M1));
  M2 *dx = (M2 *)(res + 2 * sizeof(M1));

  int64_t n = x->sizes[0];
  const float *xd = (const float *)x->aligned + x->offset;
  const float *wd = (const float *)w->aligned + w->offset;
  const float *g0d = (const float *)g0->aligned + g0->offset;
  const float *g1d = (const float *)g1->aligned + g1->offset;
  float *dwd = (float *)calloc(4, sizeof(float));
  float *dbd = (float *)calloc(4, sizeof(float));
  float *dxd = (float *)malloc(sizeof(float) * (size_t)(n * 4 + 1));
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 4; ++j) {
      float dy = AFFINE_SCALE * (g0d[i * 4 + j] + g1d[i]);
      dwd[j] += dy * xd[i * x->strides[0] + j * x->strides[1]];
      dbd[j] += dy;
      dxd[i * 4 + j] = dy * wd[j];
    }
  dw->alloc = dw->aligned = dwd; dw->offset = 0; dw->sizes[0] = 4; dw->strides[0] = 1;
  db->alloc = db->aligned = dbd; db->offset = 0; db->sizes[0] = 4; db->strides[0] = 1;
  dx->alloc = dx->aligned = dxd; dx->offset = 0;
  dx->sizes[0] = n; dx->sizes[1] = 4; dx->strides[0] = 4; dx->strides[1] = 1;
}
