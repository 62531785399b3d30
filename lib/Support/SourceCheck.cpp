//===- SourceCheck.cpp - IR text the MLIR parser cannot take --------------===//

#include "qopt/Support/SourceCheck.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

using namespace llvm;

namespace {

/// A character that continues a bare identifier or keyword (`array` in
/// `#dialect.array` or `myarray` is not the builtin keyword).
bool isIdentifierChar(char c) {
  return isAlnum(c) || c == '_' || c == '$' || c == '.';
}

} // namespace

Error qopt::checkSourceForParserCrashes(StringRef text, StringRef name) {
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      lineStart = i + 1;
      continue;
    }
    if (c == '/' && text.substr(i).starts_with("//")) {
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i;
      continue;
    }
    if (c == '"') {
      // A string literal, escapes included; it ends at the quote or the
      // line's end, as MLIR's lexer ends it.
      while (i + 1 < text.size() && text[i + 1] != '"' && text[i + 1] != '\n')
        i += text[i + 1] == '\\' && i + 2 < text.size() ? 2 : 1;
      if (i + 1 < text.size() && text[i + 1] == '"')
        ++i;
      continue;
    }
    if (c != 'a' || !text.substr(i).starts_with("array") ||
        (i > 0 && isIdentifierChar(text[i - 1])))
      continue;
    size_t j = i + 5;
    auto skipSpace = [&] {
      while (j < text.size() && isSpace(text[j]))
        ++j;
    };
    skipSpace();
    if (j >= text.size() || text[j] != '<')
      continue;
    ++j;
    skipSpace();
    if (!text.substr(j).starts_with("index") ||
        (j + 5 < text.size() && isIdentifierChar(text[j + 5])))
      continue;
    return createStringError(
        name + ":" + Twine(line) + ":" + Twine(i - lineStart + 1) +
        ": dense arrays of index elements (array<index: ...>) are "
        "not supported: MLIR 22's parser crashes on them (llvm/llvm-project "
        "issue 179045); use array<i64: ...>");
  }
  return Error::success();
}
