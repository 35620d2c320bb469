//===- Image.cpp - The symbols the compiler emitted into this MODEL.so -----===//
//
// The runtime refers to the compiler's symbols with protected visibility: they
// stay exported from MODEL.so (dlsym finds them) but the references bind
// inside this .so, so two models in one process never see each other's meta,
// weights or entry points, however they were loaded (RTLD_GLOBAL, or one
// linked into the executable). They are weak so that a missing one is an
// error message rather than a failed dlopen; a weak reference can still be
// resolved by another object, so each address is checked to lie in this .so.
//
//===----------------------------------------------------------------------===//

#include "src/Model.h"

#include <dlfcn.h>

#define THUNDER_MODEL_SYMBOL __attribute__((weak, visibility("protected")))

extern "C" {
extern const char thunder_model_meta[] THUNDER_MODEL_SYMBOL;
extern const uint8_t thunder_model_weights[] THUNDER_MODEL_SYMBOL;
extern const uint64_t thunder_model_weights_size THUNDER_MODEL_SYMBOL;
void thunder_entry_forward(void **) THUNDER_MODEL_SYMBOL;
void thunder_entry_backward(void **) THUNDER_MODEL_SYMBOL;
}

namespace thunder::rt {
namespace {

const void *ownBase() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void *>(&ownBase), &info) == 0)
    return nullptr;
  return info.dli_fbase;
}

/// The address if it is defined in this .so (or executable), else null.
template <typename T> T *local(T *p) {
  if (!p)
    return nullptr;
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void *>(p), &info) == 0)
    return p; // cannot tell (static executable): trust the link
  return info.dli_fbase == ownBase() ? p : nullptr;
}

struct ImageOrError {
  ModelImage image;
  bool ok = false;
  thunder_status status = THUNDER_OK;
  std::string message;
};

ImageOrError *loadImage() {
  auto *r = new ImageOrError();
  try {
    const char *meta = local(&thunder_model_meta[0]);
    if (!meta)
      fail(THUNDER_ERR_INTERNAL,
           "this library has no thunder_model_meta: it is not a model compiled by thunderc");
    auto forward = local(&thunder_entry_forward);
    if (!forward)
      fail(THUNDER_ERR_INTERNAL, "this model has no thunder_entry_forward");
    const uint64_t *size = local(&thunder_model_weights_size);
    const uint8_t *weights = local(&thunder_model_weights[0]);
    r->image.weights = weights;
    r->image.weightsSize = size && weights ? *size : 0;
    r->image.forward = forward;
    r->image.meta = parseMeta(meta, r->image.weightsSize);
    if (r->image.meta->backward.present) {
      r->image.backward = local(&thunder_entry_backward);
      if (!r->image.backward)
        fail(THUNDER_ERR_INTERNAL,
             "the model's metadata lists a backward entry but thunder_entry_backward is missing");
    }
    r->ok = true;
  } catch (const Error &e) {
    r->status = e.status;
    r->message = e.message;
  } catch (const std::exception &e) {
    r->status = THUNDER_ERR_INTERNAL;
    r->message = std::string("loading the model description failed: ") + e.what();
  }
  return r;
}

} // namespace

const ModelImage &image() {
  // Once per process, per .so; freed at dlclose.
  static std::unique_ptr<ImageOrError> r(loadImage());
  if (!r->ok)
    fail(r->status, r->message);
  return r->image;
}

} // namespace thunder::rt
