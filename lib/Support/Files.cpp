//===- Files.cpp - Writing files without leaving half of them ---*- C++ -*-===//

#include "qopt/Support/Files.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

Error qopt::writeThroughTemporary(StringRef path,
                                  function_ref<Error(StringRef)> write) {
  SmallString<128> temp;
  sys::fs::createUniquePath(path + ".tmp-%%%%%%", temp, /*MakeAbsolute=*/false);
  if (Error err = write(temp)) {
    sys::fs::remove(temp);
    return err;
  }
  if (std::error_code ec = sys::fs::rename(temp, path)) {
    sys::fs::remove(temp);
    return createStringError(ec, "cannot write " + path + ": " + ec.message());
  }
  return Error::success();
}

Error qopt::writeFileAtomically(StringRef path, StringRef contents) {
  return writeThroughTemporary(path, [&](StringRef temp) -> Error {
    std::error_code ec;
    raw_fd_ostream out(temp, ec, sys::fs::OF_None);
    if (ec)
      return createStringError(ec,
                               "cannot create " + path + ": " + ec.message());
    out << contents;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      return createStringError("cannot write " + path);
    }
    return Error::success();
  });
}
