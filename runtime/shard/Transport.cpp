//===- Transport.cpp - collectives of the compiled code, on a Transport ---===//
#include "shard/Transport.h"
#include "src/Common.h"
#include "thunder/runtime/compiler_abi.h"

#include <cstring>

namespace thunder::shard {
namespace {

/// The transport of the current call on this thread, and its first failure.
thread_local Transport *current = nullptr;
thread_local std::string currentError;

void record(const std::string &what) {
  if (currentError.empty())
    currentError = what;
}

} // namespace

ScopedTransport::ScopedTransport(Transport *t) : previous(current), previousError(currentError) {
  current = t;
  currentError.clear();
}

ScopedTransport::~ScopedTransport() {
  current = previous;
  currentError = previousError;
}

void ScopedTransport::check() {
  if (!currentError.empty())
    rt::fail(THUNDER_ERR_COMMUNICATION, currentError);
}

} // namespace thunder::shard

using thunder::shard::current;
using thunder::shard::record;

namespace {

/// Runs one collective of the compiled code on the current transport. After
/// a failure the later collectives of the call do nothing, so that a rank
/// whose peer is gone returns its error instead of waiting.
template <typename F> void collective(F &&run) {
  if (!current) {
    record("a collective ran outside a call with a communicator");
    return;
  }
  if (thunder::shard::currentError.empty())
    record(run(*current));
}

} // namespace

extern "C" void thunder_shard_all_reduce(const void *in, void *out, int64_t count, int32_t dtype,
                                         int32_t op) {
  collective([&](thunder::shard::Transport &t) { return t.allReduce(in, out, count, dtype, op); });
}

extern "C" void thunder_shard_all_gather(const void *in, void *out, int64_t bytes_per_rank) {
  collective([&](thunder::shard::Transport &t) { return t.allGather(in, out, bytes_per_rank); });
}

extern "C" void thunder_shard_reduce_scatter(const void *in, void *out, int64_t count,
                                             int32_t dtype, int32_t op) {
  collective(
      [&](thunder::shard::Transport &t) { return t.reduceScatter(in, out, count, dtype, op); });
}

extern "C" int64_t thunder_shard_rank(void) { return current ? current->rank() : 0; }
