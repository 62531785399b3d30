# -*- Python -*-
# lit configuration of qopt's regression tests.

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QOPT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qopt_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qopt_src_root", config.qopt_src_root))
config.substitutions.append(("%qopt_obj_root", config.qopt_obj_root))
config.substitutions.append(("%clang_format", config.clang_format))
config.substitutions.append(("%cc", config.host_cc))
config.substitutions.append(("%cxx", config.host_cxx))
# A downstream CMake project configured as qopt itself was (test/Install).
config.substitutions.append(
    ("%cmake_configure",
     '"%s" -G "%s" -DCMAKE_MAKE_PROGRAM="%s" -DCMAKE_C_COMPILER="%s" '
     '-DCMAKE_CXX_COMPILER="%s"' % (config.cmake, config.cmake_generator,
                                    config.cmake_make_program, config.host_cc,
                                    config.host_cxx)))
config.substitutions.append(("%cmake", '"%s"' % config.cmake))
config.substitutions.append(("%lit", '"%s" "%s"' % (sys.executable, sys.argv[0])))

# Catch a capture that leaks into the next CHECK-LABEL block, and a CHECK
# prefix that no directive uses.
config.environment["FILECHECK_OPTS"] = (
    "-enable-var-scope --allow-unused-prefixes=false")

# Rule F (docs/Numerics.md) reproduces the order of oneDNN's AVX2 float
# kernels. On an AVX-512 CPU, oneDNN would dispatch its avx512_core kernels,
# which add in another order; hold PyTorch, the oracle, to its AVX2 kernels.
config.environment["ONEDNN_MAX_CPU_ISA"] = "AVX2"

# PyTorch's thread count decides where a float 1x1 convolution runs (rule
# F); qopt reads the same variable. One thread on every host keeps the
# oracle and the expectations the same everywhere.
config.environment["OMP_NUM_THREADS"] = "1"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Debian's python3-torch lives under /usr/bin/python3 (the python3 first on
# PATH may be another interpreter). Tests that compare against PyTorch
# REQUIRE torch; numpy alone makes .npy fixtures.
system_python = "/usr/bin/python3"
config.substitutions.append(("%python", system_python))
import subprocess
def python_has(module):
    try:
        return subprocess.run([system_python, "-c", "import " + module],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False
for module in ("torch", "numpy", "torchvision"):
    if python_has(module):
        config.available_features.add(module)
# Debian's dataset-fashion-mnist (scripts/setup.sh installs it).
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")

tool_dirs = [config.qopt_tools_dir, config.llvm_tools_dir]
tools = ["qopt", "qrun", "qcc"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
