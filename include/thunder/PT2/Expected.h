//===- Expected.h - A value or an error message ------------------*- C++ -*-===//
//
// The reader reports every failure as a value, never as an exception or an abort, so that code built
// with -fno-exceptions (the MLIR importer) can call it. `Expected<T>` holds either a T or an `Error`.
//
//   Expected<Archive> archive = readArchive(path);
//   if (!archive) { report(archive.error().message); return failure(); }
//   use(*archive);
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_EXPECTED_H
#define THUNDER_PT2_EXPECTED_H

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace thunder::pt2 {

/// A failure with a human-readable message that names what failed and where (archive entry, JSON path,
/// node name). Messages never start with "error:"; the caller's diagnostic engine adds that.
struct Error {
  std::string message;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

template <typename T>
class [[nodiscard]] Expected {
public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() & { assert(ok() && "Expected holds an error"); return *std::get_if<0>(&storage_); }
  const T &value() const & { assert(ok() && "Expected holds an error"); return *std::get_if<0>(&storage_); }
  /// Moves the value out (the Expected is left holding a moved-from T).
  T take() { assert(ok() && "Expected holds an error"); return std::move(*std::get_if<0>(&storage_)); }

  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const { assert(!ok() && "Expected holds a value"); return *std::get_if<1>(&storage_); }

private:
  std::variant<T, Error> storage_;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_EXPECTED_H
