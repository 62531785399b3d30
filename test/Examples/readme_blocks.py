#!/usr/bin/python3
"""Runs the command blocks of a Markdown file as a reader would: every
```sh and ```python block, top to bottom, in one fresh directory where the
checkout's examples/, python/, scripts/, benchmarks/ and utils/ and the
build directory (as build/) are linked in, so that later blocks see the
files earlier ones wrote. A block right after a line
`<!-- readme-commands.test skips this block: REASON -->` is listed, not
run. sh blocks run with bash -e, python blocks with /usr/bin/python3.

    readme_blocks.py FILE.md SOURCE_ROOT BUILD_DIR WORKDIR

Prints one line per block; stops at the first that fails, with its output.
"""
import os
import re
import shutil
import subprocess
import sys

SKIP = re.compile(r"<!-- readme-commands\.test skips this block: (.*) -->")


def blocks(path):
    """(line, language, text, skip reason or None) of each fenced block."""
    lines = open(path).read().split("\n")
    found, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, language = i + 1, m.group(1)
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        previous = lines[i - 1] if i else ""
        skip = SKIP.match(previous)
        found.append((start, language, "\n".join(lines[i + 1:j]) + "\n",
                      skip.group(1) if skip else None))
        i = j + 1
    return found


def main():
    path, source, build, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for name in ("examples", "python", "scripts", "benchmarks", "utils"):
        os.symlink(os.path.join(source, name), os.path.join(work, name))
    os.symlink(build, os.path.join(work, "build"))
    name = os.path.basename(path)
    for line, language, text, skip in blocks(path):
        if language not in ("sh", "python"):
            continue
        if skip:
            print("%s:%d: %s block skipped: %s" % (name, line, language, skip))
            continue
        command = (["bash", "-e", "-c", text] if language == "sh"
                   else ["/usr/bin/python3", "-c", text])
        done = subprocess.run(command, cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            print("%s:%d: %s block FAILED (exit %d):\n%s%s" % (
                name, line, language, done.returncode, text, done.stdout))
            return 1
        print("%s:%d: %s block ran" % (name, line, language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
