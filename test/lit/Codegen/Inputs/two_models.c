/* Loads two MODEL.so files with RTLD_GLOBAL into one process and prints what
 * each one's runtime reports: each must see its own thunder_model_meta, not
 * the first one loaded. */
#include <dlfcn.h>
#include <stdio.h>

typedef int (*create_fn)(void **);
typedef const char *(*name_fn)(const void *);
typedef size_t (*count_fn)(const void *);

static int show(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!h) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  create_fn create = (create_fn)dlsym(h, "thunder_model_create");
  name_fn name = (name_fn)dlsym(h, "thunder_model_name");
  count_fn params = (count_fn)dlsym(h, "thunder_num_params");
  void *model = 0;
  if (!create || !name || !params || create(&model) != 0) {
    printf("create failed\n");
    return 1;
  }
  printf("model %s params %zu\n", name(model), params(model));
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (show(argv[i]))
      return 1;
  return 0;
}
