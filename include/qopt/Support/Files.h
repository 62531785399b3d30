//===- Files.h - Writing files without leaving half of them -----*- C++ -*-===//

#ifndef QOPT_SUPPORT_FILES_H
#define QOPT_SUPPORT_FILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace qopt {

/// Writes `path` completely or not at all: `write` fills a temporary file
/// next to it (its path is the argument), which is renamed into place once
/// `write` succeeds and removed when anything fails.
llvm::Error
writeThroughTemporary(llvm::StringRef path,
                      llvm::function_ref<llvm::Error(llvm::StringRef)> write);

/// Writes all of `paths` or none of them: `write(i, temp)` fills a
/// temporary file next to paths[i]; once every one succeeded they are
/// renamed into place. On any failure the temporaries, and files already
/// renamed, are removed.
llvm::Error writeFilesTogether(
    llvm::ArrayRef<std::string> paths,
    llvm::function_ref<llvm::Error(size_t, llvm::StringRef)> write);

/// Writes `contents` to `path` atomically: to a temporary file next to it
/// first, renamed into place only once complete.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace qopt

#endif // QOPT_SUPPORT_FILES_H
