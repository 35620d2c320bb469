//===- OutlineKernels.cpp - one function per linalg op --------------------===//
//
// thunder-outline-kernels (Passes.td). Compile time: LLVM's function passes
// are superlinear in function size, and a transformer's forward+backward as
// one function of loop nests takes tens of seconds to optimise; the same code
// as a few hundred small functions takes a few. Identical kernels (repeated
// layers) are emitted once.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace thunder::target {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

struct OutlineKernelsPass : impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> byBody;
    unsigned counter = 0;
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp f : funcs) {
      if (f.isExternal())
        continue;
      SmallVector<linalg::LinalgOp> ops;
      f.walk([&](linalg::LinalgOp op) {
        if (op.hasPureBufferSemantics())
          ops.push_back(op);
      });
      for (linalg::LinalgOp op : ops)
        outline(op, module, symbols, byBody, counter);
    }
  }

  void outline(linalg::LinalgOp linalgOp, ModuleOp module, SymbolTable &symbols,
               llvm::StringMap<func::FuncOp> &byBody, unsigned &counter) {
    Operation *op = linalgOp.getOperation();
    // Constants (captured by the regions, or scalar operands such as a
    // fill value) are cloned into the kernel; everything else is an argument.
    llvm::SetVector<Value> captured;
    for (Value v : op->getOperands())
      captured.insert(v);
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    SmallVector<Value> args;
    SmallVector<Operation *> constants;
    for (Value v : captured) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>() && def->getNumResults() == 1 &&
          !isa<ShapedType>(v.getType()))
        constants.push_back(def);
      else
        args.push_back(v);
    }

    // The kernel, built detached, then compared with the kernels so far.
    MLIRContext *ctx = op->getContext();
    OpBuilder b(ctx);
    Location loc = op->getLoc();
    auto type = FunctionType::get(ctx, ValueRange(args).getTypes(), {});
    auto kernel = func::FuncOp::create(b, loc, "kernel", type);
    Block *body = kernel.addEntryBlock();
    b.setInsertionPointToStart(body);
    IRMapping map;
    for (auto [from, to] : llvm::zip(args, body->getArguments()))
      map.map(from, to);
    for (Operation *c : constants)
      b.clone(*c, map);
    b.clone(*op, map);
    func::ReturnOp::create(b, loc);

    std::string key;
    {
      llvm::raw_string_ostream os(key);
      kernel.print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
    }
    func::FuncOp target;
    auto it = byBody.find(key);
    if (it != byBody.end()) {
      target = it->second;
      kernel.erase();
    } else {
      std::string name = ("thunder_kernel_" + llvm::Twine(counter++) + "_" +
                          op->getName().stripDialect())
                             .str();
      for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
          c = '_';
      kernel.setSymName(name);
      kernel.setPrivate();
      symbols.insert(kernel, module.getBody()->end());
      byBody[key] = kernel;
      target = kernel;
    }
    OpBuilder call(op);
    func::CallOp::create(call, loc, target, args);
    op->erase();
  }
};

} // namespace
} // namespace thunder::target
