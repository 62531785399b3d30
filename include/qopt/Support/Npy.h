//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The .npy format (NumPy's format.py, versions 1.0 to 3.0): a magic string,
// a header dict with 'descr', 'fortran_order' and 'shape', then the raw
// little-endian C-order data.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_NPY_H
#define QOPT_SUPPORT_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qopt {

/// The element types qopt exchanges through .npy files.
enum class NpyDType { F32, F64, I8, U8, I32, I64 };

/// NumPy's descr string for `dtype` ("<f4", "|i1", ...).
llvm::StringRef getNpyDescr(NpyDType dtype);
/// Bytes per element.
int64_t getNpyElementSize(NpyDType dtype);
/// The MLIR element type's name ("f32", "ui8", ...), for messages.
llvm::StringRef getNpyMlirName(NpyDType dtype);
/// The C type of an element ("float", "uint8_t", ...), for generated headers.
llvm::StringRef getNpyCType(NpyDType dtype);

/// A C-order array.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data;

  int64_t getNumElements() const;
  /// "2x3x4" (a scalar is "scalar").
  std::string getShapeString() const;
};

/// Reads `path`. Errors name the file and what is wrong with it.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Writes `array` to `path` atomically: to a temporary file first, renamed
/// into place only once complete.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

} // namespace qopt

#endif // QOPT_SUPPORT_NPY_H
