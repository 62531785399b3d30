# lit tests of the embedding example: the installed qopt tools and the
# program built against them.
import os

import lit.formats

config.name = "qopt-embedding"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.embed_dir, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in"]
config.substitutions.append(("%qopt", os.path.join(config.qopt_tools_dir, "qopt")))
config.substitutions.append(("%qcc", os.path.join(config.qopt_tools_dir, "qcc")))
config.substitutions.append(("%embed", os.path.join(config.embed_dir, "qopt-embed")))
config.substitutions.append(("%FileCheck", config.filecheck))
