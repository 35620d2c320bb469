//===- RecurrentOps.cpp - ONNX RNN, GRU, LSTM unrolled over time ----------===//
//
// The sequence length is a static extent, so the recurrence is unrolled: the
// input projections of every step are one product up front, then each step
// adds its hidden projection and applies the cell. Directions forward,
// reverse and bidirectional; layouts 0 ([seq, batch, ...]) and 1 ([batch,
// seq, ...]); activations Sigmoid, Tanh, Relu; `clip`. Every sequence must
// have the full length (sequence_lens, when given, is checked).
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

enum class Cell { RNN, GRU, LSTM };

struct Recurrence {
  Cell cell;
  int64_t gates, seq, batch, hidden, directions;
  SmallVector<std::string> activations; // per direction, the cell's functions in order
  std::optional<double> clip;
  bool linearBeforeReset = false;
  bool reverse = false; // direction = reverse
};

Value activate(Emitter &e, StringRef name, Value v) {
  if (name.equals_insensitive("Sigmoid"))
    return e.unary<SigmoidOp>(v);
  if (name.equals_insensitive("Tanh"))
    return e.unary<TanhOp>(v);
  return e.relu(v);
}

/// Rows [g * hidden, (g + 1) * hidden) of the last axis: gate `g`.
Value gate(Emitter &e, Value v, int64_t g, int64_t hidden) {
  int64_t axis = Emitter::rankOf(v) - 1;
  return e.slice(v, axis, g * hidden, (g + 1) * hidden);
}

/// One direction over the whole sequence; returns the hidden state of every
/// step (in time order) and the last cell state (LSTM).
SmallVector<Value> runDirection(Emitter &e, const Recurrence &r, int64_t d, Value x, Value w,
                                Value rw, Value bias, Value h, Value c, Value peep,
                                SmallVector<Value> &states) {
  int64_t hs = r.hidden, numFns = r.cell == Cell::LSTM ? 3 : r.cell == Cell::GRU ? 2 : 1;
  ArrayRef<std::string> fns = ArrayRef(r.activations).slice(size_t(d * numFns), size_t(numFns));
  Value wT = e.transpose(e.squeeze(e.slice(w, 0, d, d + 1), 0), 0, 1);   // [I, G*H]
  Value rT = e.transpose(e.squeeze(e.slice(rw, 0, d, d + 1), 0), 0, 1);  // [H, G*H]
  Value b = e.squeeze(e.slice(bias, 0, d, d + 1), 0);                     // [2*G*H]
  Value wb = e.slice(b, 0, 0, r.gates * hs), rb = e.slice(b, 0, r.gates * hs, 2 * r.gates * hs);
  Value projected = e.add(e.matmul(x, wT), wb);                          // [S, B, G*H]
  auto clipped = [&](Value v) { return r.clip ? e.clamp(v, -*r.clip, *r.clip) : v; };
  Value pi, po, pf;
  if (r.cell == Cell::LSTM) {
    Value p = e.squeeze(e.slice(peep, 0, d, d + 1), 0);
    pi = gate(e, p, 0, hs), po = gate(e, p, 1, hs), pf = gate(e, p, 2, hs);
  }
  bool reverse = r.reverse || d == 1;
  SmallVector<Value> outputs(size_t(r.seq));
  for (int64_t step = 0; step < r.seq; ++step) {
    int64_t t = reverse ? r.seq - 1 - step : step;
    Value xt = e.squeeze(e.slice(projected, 0, t, t + 1), 0); // [B, G*H]
    if (r.cell == Cell::GRU) {
      Value hr = e.matmul(h, rT); // [B, 3H], recurrent bias added per gate
      Value z = activate(e, fns[0], clipped(e.add(e.add(gate(e, xt, 0, hs), gate(e, hr, 0, hs)),
                                                  gate(e, rb, 0, hs))));
      Value rt = activate(e, fns[0], clipped(e.add(e.add(gate(e, xt, 1, hs), gate(e, hr, 1, hs)),
                                                   gate(e, rb, 1, hs))));
      Value candidate;
      if (r.linearBeforeReset)
        candidate = e.mul(rt, e.add(gate(e, hr, 2, hs), gate(e, rb, 2, hs)));
      else
        candidate = e.add(e.matmul(e.mul(rt, h), gate(e, rT, 2, hs)), gate(e, rb, 2, hs));
      Value ht = activate(e, fns[1], clipped(e.add(gate(e, xt, 2, hs), candidate)));
      h = e.add(e.mul(e.scalarBinary<SubOp>(1.0, z), ht), e.mul(z, h));
    } else {
      Value pre = e.add(e.add(xt, e.matmul(h, rT)), rb);
      if (r.cell == Cell::RNN) {
        h = activate(e, fns[0], clipped(pre));
      } else { // gates i, o, f, c
        Value i = activate(e, fns[0], clipped(e.add(gate(e, pre, 0, hs), e.mul(pi, c))));
        Value f = activate(e, fns[0], clipped(e.add(gate(e, pre, 2, hs), e.mul(pf, c))));
        Value cand = activate(e, fns[1], clipped(gate(e, pre, 3, hs)));
        c = e.add(e.mul(f, c), e.mul(i, cand));
        Value o = activate(e, fns[0], clipped(e.add(gate(e, pre, 1, hs), e.mul(po, c))));
        h = e.mul(o, activate(e, fns[2], c));
      }
    }
    outputs[size_t(t)] = h;
  }
  states = {h, c};
  return outputs;
}

template <Cell kind>
LogicalResult recurrent(ONNXNode &n) {
  Value x = n.input(0), w = n.input(1), rw = n.input(2);
  std::optional<Value> bias = n.optionalInput(3);
  std::optional<SmallVector<int64_t>> seqLens = n.optionalInts(4, "sequence_lens");
  std::optional<Value> h0 = n.optionalInput(5);
  std::optional<Value> c0 = kind == Cell::LSTM ? n.optionalInput(6) : std::nullopt;
  std::optional<Value> peep = kind == Cell::LSTM ? n.optionalInput(7) : std::nullopt;
  std::string direction = n.stringAttr("direction", "forward");
  int64_t layout = n.intAttr("layout", 0);
  int64_t hiddenAttr = n.intAttr("hidden_size", 0);
  SmallVector<std::string> activations;
  if (const onnx::AttributeProto *a = n.attr("activations"))
    for (const std::string &s : a->strings())
      activations.push_back(s);
  bool hasClip = n.hasAttr("clip");
  double clip = n.floatAttr("clip", 0.0);
  bool linearBeforeReset = n.intAttr("linear_before_reset", 0);
  bool inputForget = n.intAttr("input_forget", 0);
  if (failed(n.check()))
    return failure();
  Recurrence r;
  r.cell = kind;
  r.gates = kind == Cell::LSTM ? 4 : kind == Cell::GRU ? 3 : 1;
  r.directions = direction == "bidirectional" ? 2 : 1;
  r.reverse = direction == "reverse";
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return n.error() << "direction '" << direction << "' is not forward, reverse or bidirectional";
  if (inputForget)
    return n.error() << "input_forget = 1 is not supported";
  if (layout != 0 && layout != 1)
    return n.error() << "layout must be 0 or 1";
  auto xType = Emitter::typeOf(x), wType = Emitter::typeOf(w), rType = Emitter::typeOf(rw);
  if (!xType.hasStaticShape() || xType.getRank() != 3 || !wType.hasStaticShape() ||
      wType.getRank() != 3 || !rType.hasStaticShape() || rType.getRank() != 3 ||
      !isa<FloatType>(xType.getElementType()))
    return n.error() << "needs static floating-point X, W, R of rank 3";
  Emitter &e = n.emit();
  if (layout == 1)
    x = e.transpose(x, 0, 1);
  r.seq = Emitter::shapeOf(x)[0];
  r.batch = Emitter::shapeOf(x)[1];
  r.hidden = rType.getDimSize(2);
  if ((hiddenAttr && hiddenAttr != r.hidden) || wType.getDimSize(0) != r.directions ||
      wType.getDimSize(1) != r.gates * r.hidden || wType.getDimSize(2) != xType.getDimSize(2) ||
      rType.getDimSize(0) != r.directions || rType.getDimSize(1) != r.gates * r.hidden)
    return n.error() << "W " << wType << " and R " << rType << " do not fit X " << xType << ", "
                     << r.directions << " direction(s) and " << r.gates << " gates";
  if (seqLens && llvm::any_of(*seqLens, [&](int64_t l) { return l != r.seq; }))
    return n.error() << "sequences shorter than the input (sequence_lens) are not supported";
  int64_t numFns = kind == Cell::LSTM ? 3 : kind == Cell::GRU ? 2 : 1;
  if (activations.empty())
    for (int64_t d = 0; d < r.directions; ++d) {
      if (kind == Cell::RNN)
        activations.push_back("Tanh");
      else
        activations.append({"Sigmoid", "Tanh", "Tanh"});
      activations.resize(size_t((d + 1) * numFns));
    }
  if (int64_t(activations.size()) != r.directions * numFns)
    return n.error() << "needs " << r.directions * numFns << " activations";
  for (const std::string &a : activations)
    if (!llvm::is_contained({"sigmoid", "tanh", "relu"}, StringRef(a).lower()))
      return n.error() << "activation '" << a << "' is not supported (Sigmoid, Tanh, Relu are)";
  r.activations = activations;
  if (hasClip)
    r.clip = clip;
  r.linearBeforeReset = linearBeforeReset;

  Type t = xType.getElementType();
  auto zeros = [&](int64_t columns, bool batched) {
    importer::Sizes sizes = {e.index(r.directions)};
    if (batched)
      sizes.push_back(e.index(r.batch));
    sizes.push_back(e.index(columns));
    return e.splat(0.0, t, sizes);
  };
  // initial_h / initial_c in [directions, batch, hidden] whatever the layout.
  auto state = [&](std::optional<Value> v) {
    if (!v)
      return zeros(r.hidden, true);
    return layout == 1 ? e.transpose(*v, 0, 1) : *v;
  };
  for (std::optional<Value> v : {h0, c0})
    if (v && (!Emitter::typeOf(*v).hasStaticShape() || Emitter::rankOf(*v) != 3))
      return n.error() << "initial states must be static of rank 3";
  Value b = bias ? *bias : zeros(2 * r.gates * r.hidden, false);
  Value p = peep ? *peep : zeros(3 * r.hidden, false);
  Value h = state(h0), c = state(c0);
  SmallVector<Value> ys, lastH, lastC;
  for (int64_t d = 0; d < r.directions; ++d) {
    SmallVector<Value> states;
    Value hd = e.squeeze(e.slice(h, 0, d, d + 1), 0), cd = e.squeeze(e.slice(c, 0, d, d + 1), 0);
    SmallVector<Value> steps = runDirection(e, r, d, x, w, rw, b, hd, cd, p, states);
    for (Value &s : steps)
      s = e.unsqueeze(s, 0);
    ys.push_back(e.unsqueeze(e.concat(steps, 0), 1)); // [S, 1, B, H]
    lastH.push_back(e.unsqueeze(states[0], 0));
    lastC.push_back(e.unsqueeze(states[1], 0));
  }
  Value y = e.concat(ys, 1), yh = e.concat(lastH, 0), yc = e.concat(lastC, 0);
  if (layout == 1) {
    y = e.permute(y, {2, 0, 1, 3});
    yh = e.transpose(yh, 0, 1);
    yc = e.transpose(yc, 0, 1);
  }
  if (failed(n.bind(0, y)) || (n.numOutputs() > 1 && failed(n.bind(1, yh))))
    return failure();
  if (kind == Cell::LSTM && n.numOutputs() > 2)
    return n.bind(2, yc);
  return success();
}

} // namespace

void registerRecurrentOps(ONNXOpTable &t) {
  t.add("RNN", recurrent<Cell::RNN>, 14);
  t.add("GRU", recurrent<Cell::GRU>, 14);
  t.add("LSTM", recurrent<Cell::LSTM>, 14);
}

} // namespace thunder::onnximport
