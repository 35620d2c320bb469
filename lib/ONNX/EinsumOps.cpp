//===- EinsumOps.cpp - ONNX Einsum by broadcasting ------------------------===//
//
// The equation's letters become axes of one common order: each operand takes
// its diagonals (a letter twice in one term), is permuted into that order with
// size-1 axes for the letters it lacks, the operands are multiplied with
// broadcasting, and the letters not in the output are summed away. Simple and
// exact for the static shapes of exported graphs; the product of the operands
// is materialized, which large contractions would rather do as matmuls.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// The terms of "ab,bc->ac" with `...` replaced by letters of their own
/// ('A', 'B', ... for the broadcast axes, right-aligned as NumPy aligns them),
/// and the output term; nullopt when malformed.
std::optional<std::pair<SmallVector<std::string>, std::string>>
parseEquation(StringRef equation, ArrayRef<Value> operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  StringRef text(eq);
  auto [lhs, rhs] = text.split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != operands.size())
    return std::nullopt;
  // How many axes each `...` covers; the widest is the output's.
  SmallVector<int64_t> covered;
  int64_t widest = 0;
  for (auto [term, v] : llvm::zip(terms, operands)) {
    if (llvm::any_of(term, [](char c) { return c != '.' && !llvm::isLower(c); }))
      return std::nullopt;
    size_t dots = term.find("...");
    int64_t letters = int64_t(term.size()) - (dots == StringRef::npos ? 0 : 3);
    int64_t k = Emitter::rankOf(v) - letters;
    if (k < 0 || (dots == StringRef::npos && k != 0) ||
        (dots != StringRef::npos && term.count('.') != 3))
      return std::nullopt;
    covered.push_back(k);
    widest = std::max(widest, k);
  }
  auto expand = [&](StringRef term, int64_t k) {
    size_t dots = term.find("...");
    if (dots == StringRef::npos)
      return term.str();
    std::string axes;
    for (int64_t i = widest - k; i < widest; ++i)
      axes.push_back(char('A' + i));
    return (term.take_front(dots) + axes + term.drop_front(dots + 3)).str();
  };
  SmallVector<std::string> out;
  for (auto [term, k] : llvm::zip(terms, covered))
    out.push_back(expand(term, k));
  std::string output;
  if (text.contains("->")) {
    if (llvm::any_of(rhs, [](char c) { return c != '.' && !llvm::isLower(c); }))
      return std::nullopt;
    output = expand(rhs, widest);
  } else { // the broadcast axes, then the letters that appear once, alphabetically
    output = expand("...", widest);
    for (char c = 'a'; c <= 'z'; ++c) {
      int64_t count = 0;
      for (const std::string &t : out)
        count += int64_t(llvm::count(t, c));
      if (count == 1)
        output.push_back(c);
    }
  }
  return std::make_pair(out, output);
}

LogicalResult einsum(ONNXNode &n) {
  SmallVector<Value> xs = n.allInputs();
  std::string equation = n.stringAttr("equation", "");
  if (failed(n.check()))
    return failure();
  for (Value x : xs)
    if (!Emitter::typeOf(x).hasStaticShape())
      return n.error() << "needs static operand shapes";
  auto parsed = parseEquation(equation, xs);
  if (!parsed || xs.empty())
    return n.error() << "cannot read the equation '" << equation << "' for " << xs.size()
                     << " operands of ranks as given";
  auto &[terms, output] = *parsed;
  // The common order: the output's letters, then the summed ones.
  std::string order = output;
  for (const std::string &t : terms)
    for (char c : t)
      if (order.find(c) == std::string::npos)
        order.push_back(c);
  Emitter &e = n.emit();
  std::map<char, int64_t> extent;
  SmallVector<Value> aligned;
  for (auto [term, x] : llvm::zip(terms, xs)) {
    std::string letters = term;
    // Diagonals: a letter twice keeps the entries where both indices agree.
    for (size_t i = 0; i < letters.size(); ++i)
      for (size_t j = i + 1; j < letters.size();) {
        if (letters[j] != letters[i]) {
          ++j;
          continue;
        }
        if (Emitter::shapeOf(x)[i] != Emitter::shapeOf(x)[j])
          return n.error() << "letter '" << letters[i] << "' repeats over extents "
                           << Emitter::shapeOf(x)[i] << " and " << Emitter::shapeOf(x)[j];
        importer::Sizes dims = e.dims(x);
        Value same = e.compare(CompareDirection::EQ, e.iota(dims, e.i64(), int64_t(i)),
                               e.iota(dims, e.i64(), int64_t(j)));
        x = e.sum(e.select(same, x, e.splatLike(0.0, x)), {int64_t(j)}, false);
        letters.erase(j, 1);
      }
    for (auto [k, c] : llvm::enumerate(letters)) {
      int64_t d = Emitter::shapeOf(x)[k];
      auto [it, fresh] = extent.try_emplace(c, d);
      if (!fresh && it->second != d && it->second != 1 && d != 1)
        return n.error() << "letter '" << c << "' has extents " << it->second << " and " << d;
      it->second = std::max(it->second, d);
    }
    SmallVector<int64_t> perm, shape;
    for (char c : order)
      if (size_t p = letters.find(c); p != std::string::npos)
        perm.push_back(int64_t(p));
    x = e.permute(x, perm);
    size_t next = 0; // x's axes now come in `order`; the others are size 1
    for (char c : order)
      shape.push_back(letters.find(c) != std::string::npos ? Emitter::shapeOf(x)[next++] : 1);
    aligned.push_back(e.reshape(x, shape));
  }
  Value product = aligned.front();
  for (Value v : ArrayRef(aligned).drop_front())
    product = e.mul(product, v);
  if (output.size() < order.size()) {
    SmallVector<int64_t> summed;
    for (size_t d = output.size(); d < order.size(); ++d)
      summed.push_back(int64_t(d));
    // Letters only some operands have still span their full extent.
    importer::Sizes full;
    for (char c : order)
      full.push_back(e.index(extent[c]));
    product = e.sum(e.broadcastTo(product, full), summed, false);
  }
  return n.bind(product);
}

} // namespace

void registerEinsumOps(ONNXOpTable &t) { t.add("Einsum", einsum, 12); }

} // namespace thunder::onnximport
