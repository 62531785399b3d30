//===- Version.cpp - qopt's version and commit ------------------*- C++ -*-===//

#include "qopt/Support/Version.h"

#include "QoptVersion.inc"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"

#include <string>

llvm::StringRef qopt::getVersion() { return QOPT_VERSION; }

llvm::StringRef qopt::getCommit() { return QOPT_COMMIT; }

void qopt::registerVersionPrinter(llvm::StringRef tool) {
  static std::string name;
  name = tool.str();
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << name << " (qopt) " << getVersion() << ", commit " << getCommit()
       << "\n  built on LLVM/MLIR " << LLVM_VERSION_STRING << "\n";
  });
}
