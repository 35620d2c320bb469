//===- Link.cpp - temporary outputs and the link of MODEL.so --------------===//
#include "thunder/Target/Host/HostCode.h"
#include "thunder/Target/Host/PrefixedAPI.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace thunder::target {

llvm::Expected<TempOutput> TempOutput::create(llvm::StringRef finalPath, llvm::StringRef suffix) {
  llvm::SmallString<256> dir(finalPath);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(finalPath) + ".tmp-%%%%%%%%" + suffix);
  int fd = -1;
  llvm::SmallString<256> tmp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp))
    return llvm::createStringError(ec, "cannot create a temporary file in '%s': %s",
                                   dir.c_str(), ec.message().c_str());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  llvm::sys::RemoveFileOnSignal(tmp);
  return TempOutput(tmp.str().str(), finalPath.str());
}

TempOutput::TempOutput(TempOutput &&other)
    : tmpPath(std::move(other.tmpPath)), finalPath(std::move(other.finalPath)), done(other.done) {
  other.done = true;
}

TempOutput::~TempOutput() {
  if (done)
    return;
  llvm::sys::fs::remove(tmpPath);
  llvm::sys::DontRemoveFileOnSignal(tmpPath);
}

llvm::Error TempOutput::write(llvm::StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(tmpPath, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", tmpPath.c_str(), ec.message().c_str());
  os << contents;
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write '%s': %s", tmpPath.c_str(),
                                   os.error().message().c_str());
  return llvm::Error::success();
}

llvm::Error TempOutput::commit() {
  if (std::error_code ec = llvm::sys::fs::rename(tmpPath, finalPath))
    return llvm::createStringError(ec, "cannot write '%s': %s", finalPath.c_str(),
                                   ec.message().c_str());
  llvm::sys::DontRemoveFileOnSignal(tmpPath);
  done = true;
  return llvm::Error::success();
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  if (path == "-") {
    llvm::outs() << contents;
    llvm::outs().flush();
    return llvm::Error::success();
  }
  auto out = TempOutput::create(path, "");
  if (!out)
    return out.takeError();
  if (llvm::Error e = out->write(contents))
    return e;
  return out->commit();
}

llvm::Expected<std::string> findRuntimeLibrary() {
  if (const char *env = std::getenv("THUNDER_RUNTIME_LIB"); env && *env) {
    if (!llvm::sys::fs::exists(env))
      return llvm::createStringError("THUNDER_RUNTIME_LIB names '%s', which does not exist", env);
    return std::string(env);
  }
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> lib(exe);
  llvm::sys::path::remove_filename(lib); // bin/
  llvm::sys::path::remove_filename(lib); // the build or install prefix
  llvm::sys::path::append(lib, "lib", "libthunder_runtime.a");
  if (!llvm::sys::fs::exists(lib))
    return llvm::createStringError("cannot find the runtime library: '%s' does not exist (set "
                                   "THUNDER_RUNTIME_LIB to its path)",
                                   lib.c_str());
  return lib.str().str();
}

llvm::Expected<std::vector<std::string>> findLinker() {
  std::vector<std::string> words;
  if (const char *env = std::getenv("THUNDER_LINKER"); env && *env) {
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(env).split(parts, ' ', -1, false);
    for (llvm::StringRef p : parts)
      words.push_back(p.str());
  } else {
    words.push_back("c++");
  }
  if (!llvm::sys::path::has_parent_path(words[0])) {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(words[0]);
    if (!found)
      return llvm::createStringError("cannot find the linker '%s' in PATH (set THUNDER_LINKER)",
                                     words[0].c_str());
    words[0] = *found;
  } else if (!llvm::sys::fs::can_execute(words[0])) {
    return llvm::createStringError("the linker '%s' is not an executable", words[0].c_str());
  }
  return words;
}

static std::string versionScript(const LinkOptions &options) {
  std::string text = "{\n  global:\n";
  for (const APIFunction &f : apiFunctions()) {
    text += "    thunder_" + std::string(f.name) + ";\n";
    if (!options.apiPrefix.empty())
      text += "    " + options.apiPrefix + "_" + f.name + ";\n";
  }
  for (const std::string &s : options.modelSymbols)
    text += "    " + s + ";\n";
  return text + "  local: *;\n};\n";
}

llvm::Error linkSharedObject(llvm::ArrayRef<std::string> objects, llvm::StringRef runtimeLibrary,
                             llvm::StringRef output, const LinkOptions &options) {
  auto linker = findLinker();
  if (!linker)
    return linker.takeError();
  std::vector<std::string> args = *linker;
  args.insert(args.end(), {"-shared", "-o", output.str()});
  args.insert(args.end(), objects.begin(), objects.end());
  // -Bsymbolic: references inside MODEL.so (the runtime reading
  // thunder_model_meta, calling thunder_entry_forward) bind to its own
  // definitions even when another model was loaded with RTLD_GLOBAL.
  args.insert(args.end(), {"-Wl,--whole-archive", runtimeLibrary.str(), "-Wl,--no-whole-archive",
                           "-Wl,-Bsymbolic", "-Wl,-z,noexecstack", "-Wl,--gc-sections", "-ldl",
                           "-lpthread", "-lm"});
  // Only the API leaves the .so: the static runtime's C++ (std:: template
  // instantiations, its internals) would otherwise interpose across libraries.
  auto exports = TempOutput::create(output, ".exports");
  if (!exports)
    return exports.takeError();
  if (llvm::Error e = exports->write(versionScript(options)))
    return e;
  args.push_back("-Wl,--version-script=" + exports->path());
  if (!options.soname.empty())
    args.push_back("-Wl,-soname," + options.soname);
  // NAME_forward is thunder_forward: the same code, one more exported name.
  if (!options.apiPrefix.empty())
    for (const APIFunction &f : apiFunctions())
      args.push_back("-Wl,--defsym=" + options.apiPrefix + "_" + f.name + "=thunder_" + f.name);
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());
  if (options.verbose) {
    llvm::errs() << "thunderc: link:";
    for (const std::string &a : args)
      llvm::errs() << " " << a;
    llvm::errs() << "\n";
  }

  // The linker's messages go to a temporary file next to the output.
  auto log = TempOutput::create(output, ".log");
  if (!log)
    return log.takeError();
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(log->path()),
                                                llvm::StringRef(log->path())};
  std::string execError;
  bool failedToExec = false;
  int rc = llvm::sys::ExecuteAndWait(args[0], argRefs, std::nullopt, redirects, 0, 0, &execError,
                                     &failedToExec);
  if (rc == 0)
    return llvm::Error::success();
  std::string messages;
  if (auto buf = llvm::MemoryBuffer::getFile(log->path()))
    messages = (*buf)->getBuffer().take_front(8192).rtrim().str();
  if (failedToExec)
    return llvm::createStringError("cannot run the linker '%s': %s", args[0].c_str(),
                                   execError.c_str());
  return llvm::createStringError("linking '%s' failed (%s exited with %d)%s%s",
                                 output.str().c_str(), args[0].c_str(), rc,
                                 messages.empty() ? "" : ":\n", messages.c_str());
}

} // namespace thunder::target
