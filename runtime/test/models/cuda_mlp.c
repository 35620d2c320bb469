/* A hand-written stand-in for the CUDA target (docs/model-abi.md): host code
 * that calls the mgpu* wrappers and thunder_cuda_matmul the way MLIR's GPU
 * lowering does, with real kernels (cuda_kernels.h: one module as an sm_90
 * cubin loaded with mgpuModuleLoad, one as PTX with mgpuModuleLoadJIT, both
 * from a global constructor as LLVM's gpu.binary translation does).
 *
 *   y = x @ W + bias      x: [s0, 8], W: [8, 16], bias: [16]   (TF32 matmul)
 *   z = relu(y)           output
 *   step += 1             float32 [1] buffer, updated in place
 *   saved: y (new), x (the input itself: copied by the runtime), W (borrowed)
 * backward: dy = dz * (y > 0); dW = x^T dy; dbias = colsum(dy); dx = dy W^T
 * With -DCUDA_MLP_BAD_LAUNCH, forward makes a launch the driver refuses.
 */
#include "thunder/runtime/compiler_abi.h"

#include <stdint.h>
#include <stddef.h>

#include "cuda_kernels.h"

typedef struct { void *alloc, *aligned; int64_t offset, sizes[1], strides[1]; } M1;
typedef struct { void *alloc, *aligned; int64_t offset, sizes[2], strides[2]; } M2;

const char thunder_model_meta[] =
    "{\"version\": 1, \"name\": \"cuda_mlp\", \"target\": \"cuda\", \"gpu_archs\": [\"sm_90\"],"
    " \"symbols\": [{\"name\": \"s0\", \"min\": 1, \"max\": 1024}],"
    " \"inputs\": [{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [\"s0\", 8]}],"
    " \"outputs\": [{\"name\": \"z\", \"dtype\": \"float32\", \"shape\": [\"s0\", 16]}],"
    " \"params\": [{\"name\": \"fc.weight\", \"dtype\": \"float32\", \"shape\": [8, 16], \"offset\": 0, \"nbytes\": 512},"
    "              {\"name\": \"fc.bias\", \"dtype\": \"float32\", \"shape\": [16], \"offset\": 512, \"nbytes\": 64}],"
    " \"buffers\": [{\"name\": \"step\", \"dtype\": \"float32\", \"shape\": [1], \"offset\": 576, \"nbytes\": 4}],"
    " \"entries\": {"
    "   \"forward\": {\"args\": [\"param:0\", \"param:1\", \"buffer:0\", \"input:0\"],"
    "                 \"results\": [\"output:0\", \"mutated_buffer:0\", \"saved:0\", \"saved:1\", \"saved:2\"]},"
    "   \"backward\": {\"args\": [\"saved:0\", \"saved:1\", \"saved:2\", \"cotangent:0\"],"
    "                  \"results\": [\"grad_param:0\", \"grad_param:1\", \"grad_input:0\"]}},"
    " \"mutated_buffers\": [0],"
    " \"saved\": [{\"dtype\": \"float32\", \"rank\": 2}, {\"dtype\": \"float32\", \"rank\": 2},"
    "            {\"dtype\": \"float32\", \"rank\": 2}],"
    " \"grad_inputs\": [0], \"grad_params\": [0, 1]}";

/* W[i][j] = ((i * 16 + j) % 7 - 3) / 4, bias[j] = (j % 5 - 2) / 8, step = 0. */
typedef struct {
  float w[128];
  float bias[16];
  float step[16];
} Weights;
#define W8(i) \
  (((i)*16 + 0) % 7 - 3) / 4.f, (((i)*16 + 1) % 7 - 3) / 4.f, (((i)*16 + 2) % 7 - 3) / 4.f, \
  (((i)*16 + 3) % 7 - 3) / 4.f, (((i)*16 + 4) % 7 - 3) / 4.f, (((i)*16 + 5) % 7 - 3) / 4.f, \
  (((i)*16 + 6) % 7 - 3) / 4.f, (((i)*16 + 7) % 7 - 3) / 4.f, (((i)*16 + 8) % 7 - 3) / 4.f, \
  (((i)*16 + 9) % 7 - 3) / 4.f, (((i)*16 + 10) % 7 - 3) / 4.f, (((i)*16 + 11) % 7 - 3) / 4.f, \
  (((i)*16 + 12) % 7 - 3) / 4.f, (((i)*16 + 13) % 7 - 3) / 4.f, (((i)*16 + 14) % 7 - 3) / 4.f, \
  (((i)*16 + 15) % 7 - 3) / 4.f
const Weights thunder_model_weights __attribute__((aligned(64))) = {
    {W8(0), W8(1), W8(2), W8(3), W8(4), W8(5), W8(6), W8(7)},
    {-2 / 8.f, -1 / 8.f, 0, 1 / 8.f, 2 / 8.f, -2 / 8.f, -1 / 8.f, 0, 1 / 8.f, 2 / 8.f, -2 / 8.f,
     -1 / 8.f, 0, 1 / 8.f, 2 / 8.f, -2 / 8.f},
    {0}};
const uint64_t thunder_model_weights_size = sizeof(Weights);

static void *cubinModule, *ptxModule;

__attribute__((constructor)) static void loadModules(void) {
  cubinModule = mgpuModuleLoad((void *)kCudaKernelsCubin, sizeof(kCudaKernelsCubin));
  ptxModule = mgpuModuleLoadJIT((void *)kCudaKernelsPtx, 3);
}

__attribute__((destructor)) static void unloadModules(void) {
  mgpuModuleUnload(cubinModule);
  mgpuModuleUnload(ptxModule);
}

static void set2(M2 *m, void *p, int64_t r, int64_t c) {
  m->alloc = m->aligned = p;
  m->offset = 0;
  m->sizes[0] = r;
  m->sizes[1] = c;
  m->strides[0] = c;
  m->strides[1] = 1;
}

void thunder_entry_forward(void **args) {
  char *res = (char *)args[0];
  const M2 *w = (const M2 *)args[1];
  const M1 *bias = (const M1 *)args[2], *step = (const M1 *)args[3];
  const M2 *x = (const M2 *)args[4];
  M2 *z = (M2 *)res;
  M1 *newStep = (M1 *)(res + sizeof(M2));
  M2 *savedY = (M2 *)(res + sizeof(M2) + sizeof(M1));
  M2 *savedX = savedY + 1, *savedW = savedY + 2;

  void *stream = mgpuStreamCreate();
  int64_t n = x->sizes[0];
  float *xd = (float *)x->aligned + x->offset;
  float *wd = (float *)w->aligned + w->offset;
  float *bd = (float *)bias->aligned + bias->offset;
  float *sd = (float *)step->aligned + step->offset;

  float *y = (float *)mgpuMemAlloc((uint64_t)(n * 16 * 4), stream, 0);
  thunder_cuda_matmul(THUNDER_MM_F32, 1, n, 16, 8, xd, 8, 0, 0, wd, 16, 0, 0, y, 16, 0, bd, 1.f,
                      0.f);
  float *zd = (float *)mgpuMemAlloc((uint64_t)(n * 16 * 4), stream, 0);
  long long total = n * 16;
  void *reluArgs[] = {&y, &zd, &total};
#ifdef CUDA_MLP_BAD_LAUNCH /* a launch the driver refuses: 4096 threads per block */
  mgpuLaunchKernel(mgpuModuleGetFunction(cubinModule, "relu_fwd"), 1, 1, 1, 4096, 1, 1, 0, stream,
                   reluArgs, NULL, 3);
#else
  mgpuLaunchKernel(mgpuModuleGetFunction(cubinModule, "relu_fwd"), (total + 255) / 256, 1, 1, 256,
                   1, 1, 0, stream, reluArgs, NULL, 3);
#endif
  void *stepArgs[] = {&sd};
  mgpuLaunchKernel(mgpuModuleGetFunction(ptxModule, "add_one"), 1, 1, 1, 1, 1, 1, 0, stream,
                   stepArgs, NULL, 1);
  mgpuStreamDestroy(stream);

  set2(z, zd, n, 16);
  *newStep = *step; /* updated in place */
  set2(savedY, y, n, 16);
  *savedX = *x; /* the input itself */
  *savedW = *w; /* the parameter itself */
}

void thunder_entry_backward(void **args) {
  char *res = (char *)args[0];
  const M2 *y = (const M2 *)args[1], *x = (const M2 *)args[2], *w = (const M2 *)args[3];
  const M2 *dz = (const M2 *)args[4];
  M2 *dW = (M2 *)res;
  M1 *dBias = (M1 *)(res + sizeof(M2));
  M2 *dx = (M2 *)(res + sizeof(M2) + sizeof(M1));

  void *stream = mgpuStreamCreate();
  int64_t n = y->sizes[0];
  float *yd = (float *)y->aligned + y->offset;
  float *xd = (float *)x->aligned + x->offset;
  float *wd = (float *)w->aligned + w->offset;
  float *dzd = (float *)dz->aligned + dz->offset;

  float *dy = (float *)mgpuMemAlloc((uint64_t)(n * 16 * 4), stream, 0);
  long long total = n * 16;
  void *a1[] = {&yd, &dzd, &dy, &total};
  mgpuLaunchKernel(mgpuModuleGetFunction(ptxModule, "relu_bwd"), (total + 127) / 128, 1, 1, 128, 1,
                   1, 0, stream, a1, NULL, 4);
  float *dWd = (float *)mgpuMemAlloc(8 * 16 * 4, stream, 0);
  thunder_cuda_matmul(THUNDER_MM_F32_STRICT, 1, 8, 16, n, xd, 8, 0, 1, dy, 16, 0, 0, dWd, 16, 0,
                      NULL, 1.f, 0.f);
  float *db = (float *)mgpuMemAlloc(16 * 4, stream, 0);
  long long rows = n, cols = 16;
  void *a2[] = {&dy, &db, &rows, &cols};
  mgpuLaunchKernel(mgpuModuleGetFunction(ptxModule, "colsum"), 1, 1, 1, 32, 1, 1, 0, stream, a2,
                   NULL, 4);
  float *dxd = (float *)mgpuMemAlloc((uint64_t)(n * 8 * 4), stream, 0);
  thunder_cuda_matmul(THUNDER_MM_F32_STRICT, 1, n, 8, 16, dy, 16, 0, 0, wd, 16, 0, 1, dxd, 8, 0,
                      NULL, 1.f, 0.f);
  mgpuMemFree(dy, stream);
  mgpuStreamDestroy(stream);

  set2(dW, dWd, 8, 16);
  dBias->alloc = dBias->aligned = db;
  dBias->offset = 0;
  dBias->sizes[0] = 16;
  dBias->strides[0] = 1;
  set2(dx, dxd, n, 8);
}
