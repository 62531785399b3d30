//===- Npy.cpp - Reading and writing NumPy .npy files -----------*- C++ -*-===//
//
// A strict reader: anything it does not understand is an error naming the
// file, never a guess.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Npy.h"
#include "qopt/Support/Shapes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace qopt;
using llvm::StringRef;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// Everything qopt knows about an exchanged element type, in one place.
struct DTypeInfo {
  NpyDType dtype;
  const char *descr;
  int64_t size;
  const char *mlirName;
  const char *cType;
};

const DTypeInfo kDTypes[] = {
    {NpyDType::F32, "<f4", 4, "f32", "float"},
    {NpyDType::F64, "<f8", 8, "f64", "double"},
    {NpyDType::I8, "|i1", 1, "i8", "int8_t"},
    {NpyDType::U8, "|u1", 1, "ui8", "uint8_t"},
    {NpyDType::I32, "<i4", 4, "i32", "int32_t"},
    {NpyDType::I64, "<i8", 8, "i64", "int64_t"},
};

const DTypeInfo &info(NpyDType dtype) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dtype)
      return i;
  llvm_unreachable("unknown dtype");
}

llvm::Error fail(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

/// The value of `key` in the header dict: the text after "'key':" up to the
/// next top-level comma or the closing brace.
std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' && depth == 0) || c == '}')
      return rest.take_front(i).trim();
    if (depth < 0)
      return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

StringRef qopt::getNpyDescr(NpyDType dtype) { return info(dtype).descr; }

int64_t qopt::getNpyElementSize(NpyDType dtype) { return info(dtype).size; }

StringRef qopt::getNpyMlirName(NpyDType dtype) { return info(dtype).mlirName; }

StringRef qopt::getNpyCType(NpyDType dtype) { return info(dtype).cType; }

int64_t NpyArray::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string NpyArray::getShapeString() const {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

llvm::Expected<NpyArray> qopt::readNpy(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return fail(path, "cannot read: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() < kMagicSize + 2 ||
      bytes.take_front(kMagicSize) != StringRef(kMagic, kMagicSize))
    return fail(path, "not a .npy file (missing the \\x93NUMPY magic)");
  uint8_t major = bytes[kMagicSize];
  size_t headerLenSize = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (!headerLenSize)
    return fail(path, "unsupported .npy format version " + llvm::Twine(major));
  size_t prefix = kMagicSize + 2 + headerLenSize;
  if (bytes.size() < prefix)
    return fail(path, "truncated .npy header");
  uint32_t headerLen = 0;
  for (size_t i = 0; i < headerLenSize; ++i)
    headerLen |=
        static_cast<uint32_t>(static_cast<uint8_t>(bytes[kMagicSize + 2 + i]))
        << (8 * i);
  if (bytes.size() < prefix + headerLen)
    return fail(path, "truncated .npy header");
  StringRef header = bytes.substr(prefix, headerLen);

  NpyArray array;
  std::optional<StringRef> descr = headerValue(header, "descr");
  if (!descr || descr->size() < 2 || descr->front() != '\'' ||
      descr->back() != '\'')
    return fail(path, "malformed .npy header: no 'descr'");
  StringRef descrText = descr->drop_front().drop_back();
  // '=' and '<' mean little endian on the machines qopt targets; one-byte
  // types may be written with '|'.
  std::string normalized = descrText.str();
  if (!normalized.empty() && normalized[0] == '=')
    normalized[0] = '<';
  const DTypeInfo *found = nullptr;
  for (const DTypeInfo &i : kDTypes) {
    StringRef known = i.descr;
    if (normalized == known ||
        (i.size == 1 && normalized.size() == 3 &&
         StringRef(normalized).drop_front() == known.drop_front()))
      found = &i;
  }
  if (!found)
    return fail(path, "unsupported dtype '" + descrText +
                          "' (qopt reads float32, float64, int8, uint8, "
                          "int32 and int64)");
  array.dtype = found->dtype;

  std::optional<StringRef> fortran = headerValue(header, "fortran_order");
  if (!fortran || (*fortran != "False" && *fortran != "True"))
    return fail(path, "malformed .npy header: no 'fortran_order'");
  if (*fortran == "True")
    return fail(path, "Fortran-order arrays are not supported; save a "
                      "C-order array (numpy.ascontiguousarray)");

  std::optional<StringRef> shape = headerValue(header, "shape");
  if (!shape || !shape->consume_front("(") || !shape->consume_back(")"))
    return fail(path, "malformed .npy header: no 'shape'");
  llvm::SmallVector<StringRef> dims;
  shape->split(dims, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t value;
    if (dim.getAsInteger(10, value) || value < 0)
      return fail(path, "malformed .npy shape '(" + *shape + ")'");
    array.shape.push_back(value);
  }

  // The shape follows qopt's rule for tensors (Support/Shapes.h), which
  // also keeps the byte count below 2^35: no overflow, and no allocation
  // before the data is known to be in the file.
  std::string problem = checkShapeLimits(array.shape);
  if (!problem.empty())
    return fail(path, "unsupported shape (" + array.getShapeString() +
                          "): " + problem);
  int64_t expected = array.getNumElements() * found->size;
  int64_t available = static_cast<int64_t>(bytes.size() - prefix - headerLen);
  if (available < expected)
    return fail(path, "truncated data: the header promises " +
                          llvm::Twine(expected) + " bytes, the file has " +
                          llvm::Twine(available));
  array.data.assign(bytes.begin() + prefix + headerLen,
                    bytes.begin() + prefix + headerLen + expected);
  return array;
}

llvm::Error qopt::writeNpy(StringRef path, const NpyArray &array) {
  std::string header;
  llvm::raw_string_ostream os(header);
  os << "{'descr': '" << getNpyDescr(array.dtype)
     << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : array.shape)
    os << d << ", ";
  if (!array.shape.empty())
    header.resize(header.size() - 2);
  if (array.shape.size() == 1)
    os << ",";
  os << "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary; the
  // header ends with a newline.
  size_t total = kMagicSize + 2 + 2 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  llvm::SmallString<128> temp;
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return fail(path, "cannot create: " + ec.message());
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out.write(kMagic, kMagicSize);
    out << static_cast<char>(1) << static_cast<char>(0);
    out << static_cast<char>(header.size() & 0xff)
        << static_cast<char>((header.size() >> 8) & 0xff);
    out << header;
    out.write(array.data.data(), array.data.size());
    out.close();
    if (out.has_error()) {
      std::error_code ec = out.error();
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return fail(path, "cannot write: " + ec.message());
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return fail(path, "cannot write: " + ec.message());
  }
  return llvm::Error::success();
}
