/* Loads models from a plain C program (no C++ runtime of its own) through the
 * public C ABI, as Python ctypes or Rust would, and checks one forward. */
#include "thunder/runtime/thunder.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define LOAD(name)                                                   \
  __typeof__(&name) p_##name = (__typeof__(&name))dlsym(lib, #name);  \
  if (!p_##name) {                                                     \
    fprintf(stderr, "missing %s\n", #name);                          \
    return 1;                                                          \
  }

static int runOne(const char *path) {
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return 1;
  }
  LOAD(thunder_model_create)
  LOAD(thunder_model_destroy)
  LOAD(thunder_last_error)
  LOAD(thunder_forward)
  thunder_model *m = NULL;
  if (p_thunder_model_create(&m) != THUNDER_OK) {
    fprintf(stderr, "create: %s\n", p_thunder_last_error(NULL));
    return 1;
  }
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int64_t shape[2] = {2, 4};
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = x;
  t.device.device_type = kDLCPU;
  t.ndim = 2;
  t.dtype.code = kDLFloat;
  t.dtype.bits = 32;
  t.dtype.lanes = 1;
  t.shape = shape;
  const DLTensor *in[1] = {&t};
  DLManagedTensor *out[2] = {NULL, NULL};
  if (p_thunder_forward(m, in, 1, out, 2, NULL) != THUNDER_OK) {
    fprintf(stderr, "forward: %s\n", p_thunder_last_error(m));
    return 1;
  }
  const float *y = (const float *)out[0]->dl_tensor.data;
  /* y = x * [1,2,3,4] + [0.5,-0.5,0.25,-0.25] */
  const float expect[8] = {1.5f, 3.5f, 9.25f, 15.75f, 5.5f, 11.5f, 21.25f, 31.75f};
  for (int i = 0; i < 8; ++i)
    if (fabsf(y[i] - expect[i]) > 1e-6f) {
      fprintf(stderr, "%s: y[%d] = %g, expected %g\n", path, i, y[i], expect[i]);
      return 1;
    }
  out[0]->deleter(out[0]);
  out[1]->deleter(out[1]);
  /* A wrong shape is an error with a message, not a crash. */
  shape[1] = 5;
  if (p_thunder_forward(m, in, 1, out, 2, NULL) != THUNDER_ERR_SHAPE || out[0] != NULL) {
    fprintf(stderr, "%s: a wrong shape was not reported\n", path);
    return 1;
  }
  printf("%s: %s\n", path, p_thunder_last_error(m));
  p_thunder_model_destroy(m);
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (runOne(argv[i]))
      return 1;
  printf("ok\n");
  return 0;
}
