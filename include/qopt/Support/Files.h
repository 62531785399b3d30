//===- Files.h - Writing files without leaving half of them -----*- C++ -*-===//

#ifndef QOPT_SUPPORT_FILES_H
#define QOPT_SUPPORT_FILES_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qopt {

/// Writes `path` completely or not at all: `write` fills a temporary file
/// next to it (its path is the argument), which is renamed into place once
/// `write` succeeds and removed when anything fails.
llvm::Error
writeThroughTemporary(llvm::StringRef path,
                      llvm::function_ref<llvm::Error(llvm::StringRef)> write);

/// Writes `contents` to `path` atomically: to a temporary file next to it
/// first, renamed into place only once complete.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace qopt

#endif // QOPT_SUPPORT_FILES_H
