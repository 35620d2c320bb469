# lit configuration for thunderc: FileCheck tests of the dialects, passes,
# importer, codegen and end-to-end runs.
import os
import lit.formats
from lit.llvm import llvm_config

config.name = "THUNDER"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.thunder_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "fixtures", "unit", "malformed", "e2e-data", "fuzz-corpus"]
config.substitutions.append(("%fixtures", os.path.join(config.thunder_src_root, "test", "fixtures")))
config.substitutions.append(("%srcroot", config.thunder_src_root))
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tools = ["thunder-opt", "thunderc", "thunder-run"]
llvm_config.add_tool_substitutions(tools, [config.thunder_tools_dir])
