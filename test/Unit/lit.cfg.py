# -*- Python -*-
# lit configuration that runs qopt's gtest binaries, one lit test per gtest.

import os

import lit.formats

config.name = "QOPT-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.qopt_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
