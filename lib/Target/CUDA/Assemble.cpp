//===- Assemble.cpp - PTX of every architecture into one fatbin -----------===//
//
// thunder-cuda-assemble. gpu-module-to-binary{format=isa} leaves one PTX
// object per `#nvvm.target` (one per --gpu-arch). The LLVM IR translation of
// gpu.binary embeds one object, so they are merged here: with ptxas and
// fatbinary, a fatbin holding a cubin for every architecture plus the PTX of
// the lowest one (for the driver's JIT on GPUs not compiled for); without
// them, that PTX alone.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"
#include "Toolkit.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAASSEMBLE
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

struct ArchObject {
  NVVM::NVVMTargetAttr target;
  StringRef ptx;
};

/// Runs `program args`, returning its output (stdout + stderr) in `log`.
bool run(StringRef program, ArrayRef<std::string> args, StringRef logFile, std::string &log) {
  SmallVector<StringRef> argv = {program};
  for (const std::string &a : args)
    argv.push_back(a);
  std::optional<StringRef> redirects[] = {std::nullopt, logFile, logFile};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(program, argv, /*Env=*/std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0, &error);
  if (auto buffer = llvm::MemoryBuffer::getFile(logFile))
    log = (*buffer)->getBuffer().str();
  if (!error.empty())
    log += error;
  return rc == 0;
}

/// Builds the fatbin of `objects` in a temporary directory; "" on failure
/// (diagnosed on `binary`).
std::optional<std::string> buildFatbin(gpu::BinaryOp binary, ArrayRef<ArchObject> objects,
                                       const ArchObject &lowest, const Toolkit &toolkit,
                                       int optLevel) {
  SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("thunderc-cuda", dir)) {
    binary.emitError() << "cannot create a temporary directory: " << ec.message();
    return std::nullopt;
  }
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(dir); });
  auto path = [&](StringRef name) {
    SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  auto write = [&](StringRef file, StringRef text) {
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    if (!ec)
      os << text;
    return !ec && !os.has_error();
  };

  std::string log;
  std::string logFile = path("log.txt");
  SmallVector<std::string> fatbinArgs = {"-64", "--create=" + path("kernels.fatbin")};
  for (const ArchObject &o : objects) {
    StringRef chip = o.target.getChip();
    std::string ptx = path((chip + ".ptx").str()), cubin = path((chip + ".cubin").str());
    if (!write(ptx, o.ptx)) {
      binary.emitError() << "cannot write " << ptx;
      return std::nullopt;
    }
    // -split-compile=0: ptxas optimises functions on every CPU (compile time).
    if (!run(toolkit.ptxas, {"-arch=" + chip.str(), "-O" + std::to_string(optLevel),
                             "-split-compile=0", ptx, "-o", cubin},
             logFile, log)) {
      binary.emitError() << "ptxas failed for " << chip << ":\n" << log;
      return std::nullopt;
    }
    StringRef sm = chip;
    sm.consume_front("sm_");
    fatbinArgs.push_back(("--image3=kind=elf,sm=" + sm + ",file=" + cubin).str());
    if (&o == &lowest)
      fatbinArgs.push_back(("--image3=kind=ptx,sm=" + sm + ",file=" + ptx).str());
  }
  if (!run(toolkit.fatbinary, fatbinArgs, logFile, log)) {
    binary.emitError() << "fatbinary failed:\n" << log;
    return std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path("kernels.fatbin"));
  if (!buffer) {
    binary.emitError() << "cannot read the fatbin: " << buffer.getError().message();
    return std::nullopt;
  }
  return (*buffer)->getBuffer().str();
}

struct CUDAAssemblePass : impl::CUDAAssembleBase<CUDAAssemblePass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<Toolkit> toolkit;
    if (!ptxOnly)
      toolkit = findToolkit(this->toolkit);
    SmallVector<gpu::BinaryOp> binaries(getOperation().getOps<gpu::BinaryOp>());
    for (gpu::BinaryOp binary : binaries)
      if (failed(assemble(binary, toolkit)))
        return signalPassFailure();
  }

  LogicalResult assemble(gpu::BinaryOp binary, const std::optional<Toolkit> &toolkit) {
    SmallVector<ArchObject> objects;
    for (Attribute a : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(a);
      auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
      if (!target || object.getFormat() != gpu::CompilationTarget::Assembly)
        return binary.emitError("thunder-cuda-assemble expects the PTX of NVVM targets "
                                "(gpu-module-to-binary{format=isa})");
      objects.push_back({target, object.getObject().getValue()});
    }
    if (objects.empty())
      return binary.emitError("has no object");
    // The PTX that the driver can JIT for every later GPU: the lowest
    // architecture's, preferring one without architecture-specific
    // features ("a"/"f" suffixes cannot be compiled for other GPUs).
    const ArchObject *lowest = &objects.front();
    for (const ArchObject &o : objects) {
      std::optional<ArchVersion> v = parseArch(o.target.getChip());
      std::optional<ArchVersion> best = parseArch(lowest->target.getChip());
      if (v && (!best || *v < *best))
        lowest = &o;
    }

    MLIRContext *ctx = &getContext();
    Attribute object;
    if (toolkit) {
      std::optional<std::string> fatbin =
          buildFatbin(binary, objects, *lowest, *toolkit, optLevel);
      if (!fatbin)
        return failure();
      object = gpu::ObjectAttr::get(ctx, lowest->target, gpu::CompilationTarget::Fatbin,
                                    StringAttr::get(ctx, *fatbin), nullptr, nullptr);
    } else {
      // mgpuModuleLoadJIT gets the optimisation level from the "O" property.
      Builder b(ctx);
      auto props = b.getDictionaryAttr(
          b.getNamedAttr("O", b.getI32IntegerAttr(lowest->target.getO())));
      object = gpu::ObjectAttr::get(ctx, lowest->target, gpu::CompilationTarget::Assembly,
                                    StringAttr::get(ctx, lowest->ptx), props, nullptr);
    }
    binary.setObjectsAttr(ArrayAttr::get(ctx, {object}));
    return success();
  }
};

} // namespace
} // namespace thunder::cuda
