//===- Version.h - qopt's version and commit --------------------*- C++ -*-===//

#ifndef QOPT_SUPPORT_VERSION_H
#define QOPT_SUPPORT_VERSION_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace qopt {

/// "0.1.0".
llvm::StringRef getVersion();
/// The commit qopt was built from (abbreviated hash), or "unknown".
llvm::StringRef getCommit();

/// Makes --version of a tool built on llvm::cl print `tool`, qopt's version
/// and commit, and the LLVM it is built on.
void registerVersionPrinter(llvm::StringRef tool);

} // namespace qopt

#endif // QOPT_SUPPORT_VERSION_H
