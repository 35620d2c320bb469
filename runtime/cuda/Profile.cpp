//===- Profile.cpp - THUNDER_PROFILE: time per kernel and library call -----===//
#include "cuda/Profile.h"

#include "cuda/Context.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace thunder::cuda {

KernelProfile::KernelProfile() {
  const char *env = std::getenv("THUNDER_PROFILE");
  on = env && *env && *env != '0';
}

void KernelProfile::begin(CallState *c, CudaState *s) {
  s->d->cuStreamSynchronize(c->stream);
  start = std::chrono::steady_clock::now();
}

void KernelProfile::end(CallState *c, CudaState *s, const std::string &name) {
  s->d->cuStreamSynchronize(c->stream);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The first call of each kernel or library call also pays for module
  // loading, handles and plans: kept apart.
  Entry &e = byName[name];
  if (e.first < 0) {
    e.first = ms;
    return;
  }
  e.count += 1;
  e.ms += ms;
}

std::string KernelProfile::family(const std::string &name) {
  // Library calls: "cublasLt matmul ...", "cudnn convolution ...".
  if (size_t space = name.find(' '); space != std::string::npos)
    return name.substr(0, space);
  // <function>_<n>_<strategy>_<node>: the first all-digit piece is <n>.
  size_t pos = 0;
  while (true) {
    size_t us = name.find('_', pos);
    if (us == std::string::npos)
      return name;
    size_t next = name.find('_', us + 1);
    std::string piece = name.substr(us + 1, next == std::string::npos ? std::string::npos
                                                                      : next - us - 1);
    if (!piece.empty() && std::all_of(piece.begin(), piece.end(),
                                      [](unsigned char ch) { return std::isdigit(ch); })) {
      if (next == std::string::npos)
        return name;
      size_t end = name.find('_', next + 1);
      return name.substr(0, us) + "/" +
             name.substr(next + 1, end == std::string::npos ? std::string::npos : end - next - 1);
    }
    pos = us + 1;
  }
}

KernelProfile::~KernelProfile() {
  if (!on || byName.empty())
    return;
  double total = 0;
  std::map<std::string, Entry> families;
  for (auto &[name, e] : byName) {
    total += e.ms;
    Entry &f = families[family(name)];
    f.count += e.count;
    f.ms += e.ms;
  }
  auto print = [&](const char *title, const std::map<std::string, Entry> &table, size_t rows) {
    std::vector<std::pair<std::string, Entry>> sorted(table.begin(), table.end());
    std::sort(sorted.begin(), sorted.end(),
              [](auto &a, auto &b) { return a.second.ms > b.second.ms; });
    std::fprintf(stderr, "thunder profile: %s (total %.3f ms; first calls excluded)\n", title,
                 total);
    for (size_t i = 0; i < sorted.size() && i < rows; ++i)
      std::fprintf(stderr, "  %6.2f%%  %10.3f ms  %7lld calls  %s\n",
                   total > 0 ? 100.0 * sorted[i].second.ms / total : 0.0, sorted[i].second.ms,
                   static_cast<long long>(sorted[i].second.count), sorted[i].first.c_str());
  };
  print("by family", families, 40);
  print("slowest kernels", byName, 25);
}

} // namespace thunder::cuda
