#!/usr/bin/env python3
"""Checks that Package.swift declares exactly what each target imports, for every target (libraries, the
executable, TestSupport, the test targets, the benchmarks).

It reads the targets and their dependencies from Package.swift (a target's name, its `dependencies:` list of
"Name" strings and `.product(name:package:)` entries, its `path:` and `exclude:`), and the `import` lines of
every Swift file in the target's folder (`@testable import`, `import struct M.T` and imports inside `#if`
included; comments and string literals, Python scripts in multi-line strings among them, are skipped). Only
modules of this package (its targets) and of its package dependencies (their products) count: Foundation,
Glibc, Testing and the like come with the toolchain. A target that imports a module it does not declare still
builds when the module comes in through another dependency, and a declared one it never imports still links:
neither is what the graph claims, so both are reported.

Usage: scripts/check-imports.py [--root DIR] [--manifest FILE]
Exits 0 when every target's declared dependencies equal its imports, 1 listing the differences, 2 when it
cannot run.
"""

import argparse
import os
import re
import sys

TARGET_KINDS = {"target": "Sources", "executableTarget": "Sources", "testTarget": "Tests", "systemLibrary": "Sources"}


def matching_paren(text, start):
    """The index of the parenthesis that closes the one at `start`, skipping string literals."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = text.index('"', i + 1)
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced parentheses after offset %d" % start)


def bracketed(arguments, label):
    """The text inside `label: [ ... ]` of a target's arguments, or None."""
    m = re.search(r"\b%s\s*:\s*\[" % label, arguments)
    if not m:
        return None
    start = m.end() - 1
    return arguments[start + 1:matching_paren(arguments, start)]


def read_manifest(path):
    """(targets, products): targets maps a name to (kind, folder, excluded folders, declared dependencies);
    products are the module names of the package dependencies' products."""
    text = strip_comments(open(path, encoding="utf-8").read())
    targets = {}
    products = set()
    for m in re.finditer(r"\.(target|executableTarget|testTarget|systemLibrary)\s*\(", text):
        kind = m.group(1)
        arguments = text[m.end():matching_paren(text, m.end() - 1)]
        name = re.match(r'\s*name\s*:\s*"([^"]+)"', arguments)
        if not name:
            raise ValueError("a .%s without a leading name: at offset %d" % (kind, m.start()))
        name = name.group(1)
        dependencies = bracketed(arguments, "dependencies") or ""
        declared = []
        for d in re.finditer(r'\.product\s*\(\s*name\s*:\s*"([^"]+)"[^)]*\)|"([^"]+)"', dependencies):
            if d.group(1):
                products.add(d.group(1))
            declared.append(d.group(1) or d.group(2))
        path_match = re.search(r'\bpath\s*:\s*"([^"]+)"', arguments)
        folder = path_match.group(1) if path_match else os.path.join(TARGET_KINDS[kind], name)
        exclude = re.findall(r'"([^"]+)"', bracketed(arguments, "exclude") or "")
        targets[name] = (kind, folder, exclude, declared)
    return targets, products


def strip_comments(text):
    """The Swift source with comments blanked out (string literals kept)."""
    return SWIFT_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith(('"', "#")) else blank(m.group(0)), text)


def strip_comments_and_strings(text):
    """The Swift source with comments and string literals blanked out (line breaks kept)."""
    return SWIFT_TOKEN.sub(lambda m: blank(m.group(0)), text)


def blank(token):
    return re.sub(r"[^\n]", " ", token)


# Comments, multi-line and single-line string literals (raw ones too), in the order Swift's lexer meets them.
SWIFT_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|#*"""(?:.|\n)*?"""#*|#*"(?:\\.|[^"\\\n])*"#*', re.S)

IMPORT = re.compile(r"^[ \t]*(?:@\w+(?:\([^)\n]*\))?[ \t]+)*(?:(?:public|package|internal|fileprivate|private)[ \t]+)?"
                    r"import[ \t]+(?:(?:typealias|struct|class|enum|protocol|let|var|func)[ \t]+)?(\w+)", re.M)


def imports(folder, exclude):
    """module -> the first file (relative to the root) that imports it."""
    found = {}
    for directory, subdirectories, files in os.walk(folder):
        subdirectories[:] = sorted(d for d in subdirectories
                                   if os.path.relpath(os.path.join(directory, d), folder) not in exclude)
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(directory, name)
            source = strip_comments_and_strings(open(path, encoding="utf-8").read())
            for m in IMPORT.finditer(source):
                found.setdefault(m.group(1), path)
    return found


def main():
    parser = argparse.ArgumentParser(description="Compare Package.swift's dependencies with the import lines.")
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--manifest", help="the manifest to read (default: ROOT/Package.swift)")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    try:
        targets, products = read_manifest(args.manifest or os.path.join(root, "Package.swift"))
    except (OSError, ValueError) as error:
        print("cannot read the manifest: %s" % error, file=sys.stderr)
        return 2
    modules = set(targets) | products
    problems = []
    for name, (kind, folder, exclude, declared) in sorted(targets.items()):
        if kind == "systemLibrary":
            continue
        absolute = os.path.join(root, folder)
        if not os.path.isdir(absolute):
            problems.append("%s: its folder %s does not exist" % (name, folder))
            continue
        used = {module: path for module, path in imports(absolute, exclude).items() if module in modules}
        for module in sorted(set(used) - set(declared)):
            problems.append("%s imports %s (%s) but Package.swift does not declare it"
                            % (name, module, os.path.relpath(used[module], root)))
        for module in sorted(set(declared) - set(used)):
            problems.append("%s declares %s in Package.swift but no file of %s imports it" % (name, module, folder))
    for problem in problems:
        print(problem)
    if problems:
        print("%d difference(s) between Package.swift and the imports" % len(problems))
        return 1
    print("every target's declared dependencies are its imports (%d targets)"
          % sum(1 for kind, *_ in targets.values() if kind != "systemLibrary"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
