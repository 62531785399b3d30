# Writes OUTPUT, a C++ fragment defining qopt's version and the commit the
# sources were built from, and rewrites it only when it changes (so a
# rebuild without a new commit recompiles nothing).
#   cmake -DSOURCE_DIR=... -DVERSION=... -DOUTPUT=... -P GenerateVersion.cmake
set(commit "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE out RESULT_VARIABLE status
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(status EQUAL 0 AND out)
    set(commit "${out}")
  endif()
endif()
set(text "#define QOPT_VERSION \"${VERSION}\"\n#define QOPT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
