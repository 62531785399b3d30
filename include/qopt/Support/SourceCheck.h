//===- SourceCheck.h - IR text the MLIR parser cannot take ------*- C++ -*-===//
//
// Debian's libMLIR 22 crashes while parsing some malformed IR before it can
// report anything. The tools scan their input for those forms first and
// report them as errors.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_SOURCECHECK_H
#define QOPT_SUPPORT_SOURCECHECK_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace qopt {

/// Fails, with "NAME:LINE:COL: " and the reason, if `text` (the contents of
/// file `name`) holds IR that crashes MLIR 22's parser: a dense array of
/// `index` elements (`array<index: ...>`, llvm/llvm-project issue 179045,
/// rejected with a diagnostic by later MLIR). Comments and string literals
/// are skipped.
llvm::Error checkSourceForParserCrashes(llvm::StringRef text,
                                        llvm::StringRef name);

} // namespace qopt

#endif // QOPT_SUPPORT_SOURCECHECK_H
