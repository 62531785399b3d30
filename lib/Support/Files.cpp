//===- Files.cpp - Writing files without leaving half of them ---*- C++ -*-===//

#include "qopt/Support/Files.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

Error qopt::writeFilesTogether(ArrayRef<std::string> paths,
                               function_ref<Error(size_t, StringRef)> write) {
  std::vector<SmallString<128>> temps(paths.size());
  auto removeTemps = [&](size_t from) {
    for (size_t i = from; i < temps.size(); ++i)
      if (!temps[i].empty())
        sys::fs::remove(temps[i]);
  };
  for (size_t i = 0; i < paths.size(); ++i) {
    sys::fs::createUniquePath(paths[i] + ".tmp-%%%%%%", temps[i],
                              /*MakeAbsolute=*/false);
    if (Error err = write(i, temps[i])) {
      removeTemps(0);
      // Messages name the file the user asked for, not the temporary.
      std::string message = toString(std::move(err));
      for (size_t at = message.find(temps[i].str()); at != std::string::npos;
           at = message.find(temps[i].str(), at))
        message.replace(at, temps[i].size(), paths[i]);
      return createStringError(message);
    }
  }
  for (size_t i = 0; i < paths.size(); ++i)
    if (std::error_code ec = sys::fs::rename(temps[i], paths[i])) {
      removeTemps(i);
      for (size_t j = 0; j < i; ++j)
        sys::fs::remove(paths[j]);
      return createStringError(ec, "cannot write " + paths[i] + ": " +
                                       ec.message());
    }
  return Error::success();
}

Error qopt::writeThroughTemporary(StringRef path,
                                  function_ref<Error(StringRef)> write) {
  std::string paths[] = {path.str()};
  return writeFilesTogether(
      paths, [&](size_t, StringRef temp) { return write(temp); });
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
