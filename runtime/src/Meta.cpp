//===- Meta.cpp - Parsing and validating thunder_model_meta ----------------===//

#include "src/Meta.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

namespace thunder::rt {

using json = nlohmann::json;

//===----------------------------------------------------------------------===//
// Size expressions
//===----------------------------------------------------------------------===//

namespace {
class ExprParser {
public:
  ExprParser(const std::string &s, const std::vector<int64_t> &values,
             const std::vector<Symbol> &symbols)
      : s(s), values(values), symbols(symbols) {}

  bool parse(int64_t &out) {
    if (!sum(out))
      return false;
    skip();
    return pos == s.size();
  }

private:
  const std::string &s;
  const std::vector<int64_t> &values;
  const std::vector<Symbol> &symbols;
  size_t pos = 0;

  void skip() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
      ++pos;
  }
  bool eat(const char *tok) {
    skip();
    size_t n = std::char_traits<char>::length(tok);
    if (s.compare(pos, n, tok) == 0) {
      pos += n;
      return true;
    }
    return false;
  }
  static int64_t floorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
      --q;
    return q;
  }
  bool sum(int64_t &out) {
    if (!product(out))
      return false;
    for (;;) {
      int64_t rhs;
      if (eat("+")) {
        if (!product(rhs))
          return false;
        out += rhs;
      } else if (eat("-")) {
        if (!product(rhs))
          return false;
        out -= rhs;
      } else {
        return true;
      }
    }
  }
  bool product(int64_t &out) {
    if (!unary(out))
      return false;
    for (;;) {
      int64_t rhs;
      if (eat("//")) {
        if (!unary(rhs) || rhs == 0)
          return false;
        out = floorDiv(out, rhs);
      } else if (eat("*")) {
        if (!unary(rhs))
          return false;
        out *= rhs;
      } else if (eat("/")) {
        // sympy prints exact division of integers as '/'; accept when exact.
        if (!unary(rhs) || rhs == 0 || out % rhs != 0)
          return false;
        out /= rhs;
      } else if (eat("%")) {
        if (!unary(rhs) || rhs == 0)
          return false;
        out = out - floorDiv(out, rhs) * rhs;
      } else {
        return true;
      }
    }
  }
  bool unary(int64_t &out) {
    if (eat("-")) {
      if (!unary(out))
        return false;
      out = -out;
      return true;
    }
    if (eat("+"))
      return unary(out);
    return atom(out);
  }
  bool atom(int64_t &out) {
    skip();
    if (pos >= s.size())
      return false;
    if (s[pos] == '(') {
      ++pos;
      if (!sum(out))
        return false;
      return eat(")");
    }
    if (std::isdigit(static_cast<unsigned char>(s[pos]))) {
      int64_t v = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (v > (INT64_MAX - 9) / 10)
          return false;
        v = v * 10 + (s[pos++] - '0');
      }
      out = v;
      return true;
    }
    size_t start = pos;
    while (pos < s.size() && (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_'))
      ++pos;
    if (start == pos)
      return false;
    std::string name = s.substr(start, pos - start);
    for (size_t i = 0; i < symbols.size(); ++i)
      if (symbols[i].name == name) {
        if (i >= values.size() || values[i] < 0)
          return false;
        out = values[i];
        return true;
      }
    return false; // a function call or an unknown name
  }
};
} // namespace

bool SizeExpr::eval(const std::vector<int64_t> &values, const std::vector<Symbol> &symbols,
                    int64_t &out) const {
  ExprParser p(text, values, symbols);
  return p.parse(out);
}

//===----------------------------------------------------------------------===//
// Meta
//===----------------------------------------------------------------------===//

bool TensorMeta::isStatic() const {
  for (const Dim &d : shape)
    if (d.value < 0)
      return false;
  return true;
}

std::vector<int64_t> TensorMeta::staticShape() const {
  std::vector<int64_t> v;
  for (const Dim &d : shape)
    v.push_back(d.value);
  return v;
}

const char *argKindName(ArgRef::Kind k) {
  switch (k) {
  case ArgRef::Param:
    return "param";
  case ArgRef::Buffer:
    return "buffer";
  case ArgRef::Constant:
    return "constant";
  case ArgRef::Input:
    return "input";
  case ArgRef::Saved:
    return "saved";
  case ArgRef::Cotangent:
    return "cotangent";
  case ArgRef::Output:
    return "output";
  case ArgRef::MutatedBuffer:
    return "mutated_buffer";
  case ArgRef::GradParam:
    return "grad_param";
  case ArgRef::GradInput:
    return "grad_input";
  }
  return "?";
}

int ModelMeta::symbolIndex(const std::string &n) const {
  for (size_t i = 0; i < symbols.size(); ++i)
    if (symbols[i].name == n)
      return static_cast<int>(i);
  return -1;
}

int ModelMeta::resultRank(const ArgRef &r) const {
  switch (r.kind) {
  case ArgRef::Output:
    return outputs[r.index].rank();
  case ArgRef::MutatedBuffer:
    return buffers[mutatedBuffers[r.index]].rank();
  case ArgRef::Saved:
    return saved[r.index].rank;
  case ArgRef::GradParam:
    return params[gradParams[r.index]].rank();
  case ArgRef::GradInput:
    return inputs[gradInputs[r.index]].rank();
  default:
    return 0;
  }
}

DType ModelMeta::resultDType(const ArgRef &r) const {
  switch (r.kind) {
  case ArgRef::Output:
    return outputs[r.index].dtype;
  case ArgRef::MutatedBuffer:
    return buffers[mutatedBuffers[r.index]].dtype;
  case ArgRef::Saved:
    return saved[r.index].dtype;
  case ArgRef::GradParam:
    return params[gradParams[r.index]].dtype;
  case ArgRef::GradInput:
    return inputs[gradInputs[r.index]].dtype;
  default:
    return DType::F32;
  }
}

namespace {

[[noreturn]] void bad(const std::string &what) {
  fail(THUNDER_ERR_INTERNAL, "malformed model metadata: " + what);
}

int64_t getInt(const json &j, const std::string &where) {
  if (j.is_number_integer())
    return j.get<int64_t>();
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX))
      bad(where + " is out of range");
    return static_cast<int64_t>(u);
  }
  bad(where + " must be an integer");
}

std::string getString(const json &obj, const char *key, const std::string &where,
                      bool required = true) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required)
      bad(where + " lacks \"" + key + "\"");
    return "";
  }
  if (!it->is_string())
    bad(where + "." + key + " must be a string");
  return it->get<std::string>();
}

void parseSymbols(const json &root, ModelMeta &m) {
  auto it = root.find("symbols");
  if (it == root.end() || it->is_null())
    return;
  if (!it->is_array())
    bad("\"symbols\" must be an array");
  for (const json &s : *it) {
    if (!s.is_object())
      bad("a symbol must be an object");
    Symbol sym;
    sym.name = getString(s, "name", "symbol");
    auto mn = s.find("min");
    if (mn != s.end() && !mn->is_null())
      sym.min = mn->is_number() && !mn->is_number_float() ? getInt(*mn, sym.name + ".min") : 0;
    auto mx = s.find("max");
    if (mx != s.end() && !mx->is_null()) {
      // torch prints an unbounded max as int_oo, or a huge integer.
      if (mx->is_number_integer() ||
          (mx->is_number_unsigned() && mx->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)))
        sym.max = getInt(*mx, sym.name + ".max");
      else
        sym.max = -1;
      if (sym.max >= INT64_MAX / 2)
        sym.max = -1;
    }
    if (sym.min < 0)
      sym.min = 0;
    if (sym.max >= 0 && sym.max < sym.min)
      bad("symbol " + sym.name + " has max < min");
    if (m.symbolIndex(sym.name) >= 0)
      bad("symbol " + sym.name + " is listed twice");
    m.symbols.push_back(sym);
  }
}

bool isIntegerText(const std::string &s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return s.size() < 18;
}

void parseTensors(const json &root, const char *key, ModelMeta &m, std::vector<TensorMeta> &out,
                  bool stored, uint64_t weightsSize) {
  auto it = root.find(key);
  if (it == root.end() || it->is_null())
    return;
  if (!it->is_array())
    bad(std::string("\"") + key + "\" must be an array");
  size_t idx = 0;
  for (const json &t : *it) {
    std::string where = std::string(key) + "[" + std::to_string(idx++) + "]";
    if (!t.is_object())
      bad(where + " must be an object");
    TensorMeta tm;
    tm.name = getString(t, "name", where, /*required=*/false);
    if (tm.name.empty())
      tm.name = where;
    where += " ('" + tm.name + "')";
    std::string dt = getString(t, "dtype", where);
    if (!parseDType(dt, tm.dtype))
      bad(where + " has unsupported dtype '" + dt + "'");
    auto sh = t.find("shape");
    if (sh == t.end() || !sh->is_array())
      bad(where + " lacks an array \"shape\"");
    for (const json &d : *sh) {
      Dim dim;
      if (d.is_number()) {
        dim.value = getInt(d, where + ".shape");
        if (dim.value < 0)
          bad(where + " has a negative size");
      } else if (d.is_string()) {
        std::string s = d.get<std::string>();
        if (isIntegerText(s)) {
          dim.value = std::stoll(s);
        } else {
          dim.expr = s;
          dim.symbol = m.symbolIndex(s);
        }
      } else {
        bad(where + ".shape entries must be integers or strings");
      }
      tm.shape.push_back(dim);
    }
    if (stored) {
      if (!tm.isStatic())
        bad(where + " must have a static shape");
      tm.offset = static_cast<uint64_t>(getInt(t.value("offset", json()), where + ".offset"));
      tm.nbytes = static_cast<uint64_t>(getInt(t.value("nbytes", json()), where + ".nbytes"));
      std::vector<int64_t> shape = tm.staticShape();
      uint64_t expect =
          static_cast<uint64_t>(numElements(shape.data(), tm.rank())) * itemSize(tm.dtype);
      if (tm.nbytes != expect)
        bad(where + " has nbytes " + std::to_string(tm.nbytes) + ", its shape needs " +
            std::to_string(expect));
      if (tm.offset > weightsSize || tm.nbytes > weightsSize - tm.offset)
        bad(where + " lies outside " +
            (m.externalWeights ? "the weights layout" : "thunder_model_weights") + " (offset " +
            std::to_string(tm.offset) + ", nbytes " + std::to_string(tm.nbytes) +
            ", weights size " + std::to_string(weightsSize) + ")");
      if (tm.offset % itemSize(tm.dtype) != 0)
        bad(where + " is not aligned to its element size");
      auto p = t.find("persistent");
      if (p != t.end() && p->is_boolean())
        tm.persistent = p->get<bool>();
    }
    if (auto d = t.find("sharded_dim"); d != t.end()) {
      int64_t dim = getInt(*d, where + ".sharded_dim");
      if (dim < 0 || dim >= tm.rank())
        bad(where + ".sharded_dim " + std::to_string(dim) + " is not a dimension");
      tm.shardedDim = static_cast<int>(dim);
    }
    out.push_back(std::move(tm));
  }
}

ArgRef parseRef(const json &j, const std::string &where) {
  if (!j.is_string())
    bad(where + " entries must be strings like \"input:0\"");
  std::string s = j.get<std::string>();
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon + 1 >= s.size())
    bad(where + " entry '" + s + "' is not KIND:INDEX");
  std::string kind = s.substr(0, colon), num = s.substr(colon + 1);
  if (!isIntegerText(num))
    bad(where + " entry '" + s + "' has a bad index");
  static const std::pair<const char *, ArgRef::Kind> kinds[] = {
      {"param", ArgRef::Param},          {"buffer", ArgRef::Buffer},
      {"constant", ArgRef::Constant},    {"input", ArgRef::Input},
      {"saved", ArgRef::Saved},          {"cotangent", ArgRef::Cotangent},
      {"output", ArgRef::Output},        {"mutated_buffer", ArgRef::MutatedBuffer},
      {"grad_param", ArgRef::GradParam}, {"grad_input", ArgRef::GradInput}};
  for (const auto &k : kinds)
    if (kind == k.first)
      return ArgRef{k.second, static_cast<int>(std::stoll(num))};
  bad(where + " entry '" + s + "' has unknown kind '" + kind + "'");
}

std::vector<int> parseIndexList(const json &root, const char *key, size_t bound, const char *what) {
  std::vector<int> v;
  auto it = root.find(key);
  if (it == root.end() || it->is_null())
    return v;
  if (!it->is_array())
    bad(std::string("\"") + key + "\" must be an array");
  std::set<int64_t> seen;
  for (const json &j : *it) {
    int64_t i = getInt(j, key);
    if (i < 0 || static_cast<size_t>(i) >= bound)
      bad(std::string("\"") + key + "\" names " + what + " " + std::to_string(i) +
          ", which does not exist");
    if (!seen.insert(i).second)
      bad(std::string("\"") + key + "\" names " + what + " " + std::to_string(i) + " twice");
    v.push_back(static_cast<int>(i));
  }
  return v;
}

void parseEntry(const json &entries, const char *name, EntryMeta &e) {
  auto it = entries.find(name);
  if (it == entries.end() || it->is_null())
    return;
  if (!it->is_object())
    bad(std::string("entries.") + name + " must be an object");
  e.present = true;
  for (const char *part : {"args", "results"}) {
    auto l = it->find(part);
    if (l == it->end() || l->is_null())
      continue;
    if (!l->is_array())
      bad(std::string("entries.") + name + "." + part + " must be an array");
    for (const json &r : *l)
      (std::string(part) == "args" ? e.args : e.results)
          .push_back(parseRef(r, std::string("entries.") + name + "." + part));
  }
}

size_t boundOf(const ModelMeta &m, ArgRef::Kind k) {
  switch (k) {
  case ArgRef::Param:
    return m.params.size();
  case ArgRef::Buffer:
    return m.buffers.size();
  case ArgRef::Constant:
    return m.constants.size();
  case ArgRef::Input:
    return m.inputs.size();
  case ArgRef::Saved:
    return m.saved.size();
  case ArgRef::Cotangent:
    return m.outputs.size();
  case ArgRef::Output:
    return m.outputs.size();
  case ArgRef::MutatedBuffer:
    return m.mutatedBuffers.size();
  case ArgRef::GradParam:
    return m.gradParams.size();
  case ArgRef::GradInput:
    return m.gradInputs.size();
  }
  return 0;
}

void checkEntry(const ModelMeta &m, const EntryMeta &e, const char *name,
                std::initializer_list<ArgRef::Kind> argKinds,
                std::initializer_list<ArgRef::Kind> resultKinds) {
  auto allowed = [](std::initializer_list<ArgRef::Kind> ks, ArgRef::Kind k) {
    for (auto x : ks)
      if (x == k)
        return true;
    return false;
  };
  std::string where = std::string("entries.") + name;
  for (const ArgRef &a : e.args) {
    if (!allowed(argKinds, a.kind))
      bad(where + ".args may not contain " + argKindName(a.kind) + " values");
    if (a.index < 0 || static_cast<size_t>(a.index) >= boundOf(m, a.kind))
      bad(where + ".args names " + argKindName(a.kind) + ":" + std::to_string(a.index) +
          ", which does not exist");
  }
  // Every result kind must be complete and unique.
  for (ArgRef::Kind k : resultKinds) {
    std::vector<int> count(boundOf(m, k), 0);
    for (const ArgRef &r : e.results) {
      if (r.kind != k)
        continue;
      if (r.index < 0 || static_cast<size_t>(r.index) >= count.size())
        bad(where + ".results names " + argKindName(k) + ":" + std::to_string(r.index) +
            ", which does not exist");
      ++count[r.index];
    }
    for (size_t i = 0; i < count.size(); ++i)
      if (count[i] != 1)
        bad(where + ".results must contain " + argKindName(k) + ":" + std::to_string(i) +
            " exactly once");
  }
  for (const ArgRef &r : e.results)
    if (!allowed(resultKinds, r.kind))
      bad(where + ".results may not contain " + argKindName(r.kind) + " values");
}

void fillInfo(const ModelMeta &m, TensorMeta &t) {
  t.infoShape.clear();
  t.infoMin.clear();
  t.infoMax.clear();
  t.infoNames.clear();
  for (const Dim &d : t.shape) {
    if (d.value >= 0) {
      t.infoShape.push_back(d.value);
      t.infoMin.push_back(d.value);
      t.infoMax.push_back(d.value);
      t.infoNames.push_back(nullptr);
    } else {
      t.infoShape.push_back(-1);
      t.infoNames.push_back(d.expr.c_str());
      if (d.symbol >= 0) {
        t.infoMin.push_back(m.symbols[d.symbol].min);
        t.infoMax.push_back(m.symbols[d.symbol].max);
      } else {
        t.infoMin.push_back(0);
        t.infoMax.push_back(-1);
      }
    }
  }
}

} // namespace

std::unique_ptr<ModelMeta> parseMeta(const char *text, uint64_t weightsSize) {
  if (!text)
    bad("thunder_model_meta is null");
  json root;
  try {
    root = json::parse(text);
  } catch (const std::exception &e) {
    bad(std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object())
    bad("the top level must be an object");
  auto m = std::make_unique<ModelMeta>();
  if (root.contains("version")) {
    m->version = static_cast<int>(getInt(root["version"], "version"));
    if (m->version != 1)
      bad("version " + std::to_string(m->version) + " is not supported by this runtime (1)");
  }
  m->name = getString(root, "name", "the model", false);
  m->target = getString(root, "target", "the model", false);
  if (m->target.empty())
    m->target = "cpu";
  if (m->target != "cpu" && m->target != "cuda")
    bad("target '" + m->target + "' is neither \"cpu\" nor \"cuda\"");
  m->cuda = m->target == "cuda";
  if (auto g = root.find("gpu_archs"); g != root.end() && g->is_array())
    for (const json &a : *g)
      if (a.is_string())
        m->gpuArchs.push_back(a.get<std::string>());

  if (auto w = root.find("weights"); w != root.end() && !w->is_null()) {
    if (!w->is_string() || (*w != "external" && *w != "embedded"))
      bad("\"weights\" must be \"embedded\" or \"external\"");
    m->externalWeights = *w == "external";
  }
  if (m->externalWeights) {
    int64_t size = getInt(root.value("weights_size", json()), "weights_size");
    if (size < 0)
      bad("weights_size is negative");
    weightsSize = static_cast<uint64_t>(size);
  }
  m->weightsSize = weightsSize;

  if (auto ps = root.find("per_sample"); ps != root.end() && !ps->is_null()) {
    if (!ps->is_boolean())
      bad("\"per_sample\" must be a boolean");
    m->perSample = ps->get<bool>();
  }
  if (auto mesh = root.find("mesh"); mesh != root.end() && !mesh->is_null()) {
    if (!mesh->is_array())
      bad("\"mesh\" must be an array of [axis, size] pairs");
    for (const json &axis : *mesh) {
      if (!axis.is_array() || axis.size() != 2 || !axis[0].is_string())
        bad("\"mesh\" entries must be [axis, size] pairs");
      int64_t size = getInt(axis[1], "mesh size");
      if (size < 1)
        bad("mesh axis " + axis[0].get<std::string>() + " has size " + std::to_string(size));
      m->mesh.emplace_back(axis[0].get<std::string>(), size);
      m->meshRanks *= size;
    }
  }
  parseSymbols(root, *m);
  parseTensors(root, "inputs", *m, m->inputs, false, weightsSize);
  // Symbols used by inputs but not listed: add them, unbounded.
  for (TensorMeta &t : m->inputs)
    for (Dim &d : t.shape)
      if (d.value < 0 && d.symbol < 0) {
        bool simpleName = !d.expr.empty() &&
                          (std::isalpha(static_cast<unsigned char>(d.expr[0])) || d.expr[0] == '_');
        for (char c : d.expr)
          simpleName &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        if (simpleName) {
          m->symbols.push_back(Symbol{d.expr, 0, -1});
          d.symbol = static_cast<int>(m->symbols.size() - 1);
        }
      }
  parseTensors(root, "outputs", *m, m->outputs, false, weightsSize);
  parseTensors(root, "params", *m, m->params, true, weightsSize);
  parseTensors(root, "buffers", *m, m->buffers, true, weightsSize);
  parseTensors(root, "constants", *m, m->constants, true, weightsSize);

  m->mutatedBuffers = parseIndexList(root, "mutated_buffers", m->buffers.size(), "buffer");
  m->gradInputs = parseIndexList(root, "grad_inputs", m->inputs.size(), "input");
  m->gradParams = parseIndexList(root, "grad_params", m->params.size(), "param");
  if (auto s = root.find("saved"); s != root.end() && !s->is_null()) {
    if (!s->is_array())
      bad("\"saved\" must be an array");
    for (const json &e : *s) {
      if (!e.is_object())
        bad("\"saved\" entries must be objects");
      SavedMeta sm;
      std::string dt = getString(e, "dtype", "saved");
      if (!parseDType(dt, sm.dtype))
        bad("saved value has unsupported dtype '" + dt + "'");
      sm.rank = static_cast<int>(getInt(e.value("rank", json()), "saved.rank"));
      if (sm.rank < 0 || sm.rank > 64)
        bad("saved value has rank " + std::to_string(sm.rank));
      m->saved.push_back(sm);
    }
  }
  for (int b : m->mutatedBuffers)
    m->buffers[b].mutated = true;
  for (int i : m->gradInputs)
    m->inputs[i].hasGrad = true;
  for (int p : m->gradParams)
    m->params[p].hasGrad = true;

  auto entries = root.find("entries");
  if (entries == root.end() || !entries->is_object())
    bad("\"entries\" is missing");
  parseEntry(*entries, "forward", m->forward);
  parseEntry(*entries, "backward", m->backward);
  if (!m->forward.present)
    bad("entries.forward is missing");
  checkEntry(*m, m->forward, "forward",
             {ArgRef::Param, ArgRef::Buffer, ArgRef::Constant, ArgRef::Input},
             {ArgRef::Output, ArgRef::MutatedBuffer, ArgRef::Saved});
  if (m->backward.present)
    checkEntry(*m, m->backward, "backward",
               {ArgRef::Saved, ArgRef::Cotangent, ArgRef::Param, ArgRef::Buffer, ArgRef::Constant},
               {ArgRef::GradParam, ArgRef::GradInput});
  for (const TensorMeta &t : m->inputs)
    if (t.rank() > 64)
      bad("input '" + t.name + "' has rank above 64");
  for (auto *list : {&m->inputs, &m->outputs, &m->params, &m->buffers, &m->constants})
    for (TensorMeta &t : *list)
      fillInfo(*m, t);
  return m;
}

std::vector<int64_t> ModelMeta::blockShape(const TensorMeta &t) const {
  std::vector<int64_t> s = t.staticShape();
  if (t.shardedDim == 0 && !s.empty())
    s[0] = (s[0] + meshRanks - 1) / meshRanks;
  return s;
}

} // namespace thunder::rt
