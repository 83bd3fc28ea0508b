#!/usr/bin/env python3
"""Checks that every error and warning sentence in the Swift sources appears in docs/troubleshooting.md.

It finds the string literals passed to the error initialisers of every module (MapillaryError,
ImagingError, PackagingError, InternetArchiveError, HTTPError, ArchiverError, SandboxError,
HTTPServerError, CampaignError, CampaignPageError, ArgumentParser's ValidationError), the operations of FileError ("could not OPERATION
PATH: REASON"), the fixed sentences of FileError and SQLiteError, the warnings, errors and notices
that are logged, and the warnings that end up in an upload's report. Interpolations (\\(...)) and
non-literal pieces become wildcards. A sentence counts as documented when its literal fragments
appear, in order, in one paragraph or list item of the document (wrapped lines are joined).

Usage: scripts/check-troubleshooting.py [--list] [--doc FILE] [--root DIR]
Exits 0 when every sentence is documented, 1 listing the missing ones, 2 when it cannot run.
"""

import argparse
import os
import re
import sys

WILDCARD = None  # marks an interpolation or a non-literal piece inside a message

# (call pattern, which argument holds the message, the folders it applies to, prefix of the sentence)
# which: "first" = the first argument with a string literal in it; a number = that argument (0-based);
# a name = that labelled argument.
CALLS = [
    (r"\b(?:MapillaryError|ImagingError|PackagingError|InternetArchiveError|HTTPError|ArchiverError"
     r"|SandboxError|HTTPServerError|CampaignError|CampaignPageError)\s*\(", "first", None, ""),
    (r"\bImagingError\.jpegInput\s*\(", "first", None, ""),
    (r"\bValidationError\s*\(", "first", None, ""),
    (r"\bFileError\s*\(", "operation", None, "could not "),
    (r"\bPackagingError\.file\s*\(", 0, None, "could not "),
    (r"\bfileError\s*\(", "fix", ["Sources/HTTPClientKit"], ""),
    (r"\blogger\.(?:warning|error|notice|critical)\s*\(", "first", None, ""),
    (r"\bwarnings\.append\s*\(", "first", ["Sources/InternetArchive"], ""),
    (r"\bwarn(?:ing)?\s*\(", "first", ["Sources/InternetArchive"], ""),
    (r"\bbad\s*\(", "first", None, ""),
    (r"\bmalformed\s*\(", "first", ["Sources/Imaging", "Sources/SandboxKit"], ""),
    (r"\bundecodable\s*\(", "first", ["Sources/Imaging"], ""),
    (r"\bfailure\s*\(", "first", ["Sources/Imaging"], ""),
    (r"\bfailure\s*\(", 0, ["Sources/InternetArchive"], "could not "),
    (r"\bcorrupt\s*\(", "first", ["Sources/Packaging"], ""),
    (r"\binvalid\s*\(", "first", ["Sources/HTTPClientKit"], ""),
    (r"\bsyntaxError\s*\(", "first", ["Sources/Mapillary"], ""),
    (r"\bproblems\.append\s*\(", "first", ["Sources/Packaging"], ""),
    (r"\breport\.add\s*\(", 1, ["Sources/Packaging"], ""),
    (r"\bsendText\s*\(", "first", ["Sources/CampaignPage"], ""),
    (r"\bSnapshotFailure\s*\(", "sentence", ["Sources/CampaignPage"], ""),
]

# Files whose `return "..."` literals are the sentences users read (computed descriptions).
DESCRIPTION_FILES = ["Sources/Essentials/FileError.swift", "Sources/SQLiteStore/SQLiteError.swift"]

# Functions that return (or collect) sentences shown to users: every literal in their bodies that
# holds a space counts as a message.
SENTENCE_FUNCTIONS = {
    "Sources/Packaging/MemberName.swift": ["problem", "tarFileProblem"],
    "Sources/Packaging/IdentifierRule.swift": ["validate"],
    "Sources/Campaign/UsernameRule.swift": ["problem"],
    "Sources/Packaging/TarReader.swift": ["list"],
    "Sources/Packaging/ItemVerifier.swift": ["verify"],
    "Sources/Packaging/FolderPackager+Thumbnail.swift": ["makeThumbnail"],
    "Sources/Packaging/MetaFolder.swift": ["scan"],
    "Sources/Archiver/Run/UserDownload.swift": ["runStages"],
    "Sources/Archiver/Run/DownloadOptions.swift": ["validate"],
    "Sources/Mapillary/MapillaryUsername.swift": ["problem"],
    "Sources/Archiver/Run/DownloadBatch.swift": ["run", "upload"],
    "Sources/Archiver/Upload/UploadRunner.swift": ["problems", "uploadAll"],
    "Sources/InternetArchive/RemoteVerification.swift": ["summary", "nextStep"],
    "Sources/mapillary-archiver/CommandSupport.swift": ["withInterruptHandling"],
    "Sources/mapillary-archiver/Main.swift": ["main"],
}


class SwiftSource:
    """One Swift file: its text with comments and string literals masked, and the literals' contents."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.literals = {}  # start offset -> (end offset, fragments)
        masked = list(text)
        i, n = 0, len(text)
        while i < n:
            if text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                masked[i:end] = " " * (end - i)
                i = end
            elif text.startswith("/*", i):
                end = self._block_comment_end(i)
                masked[i:end] = [c if c == "\n" else " " for c in text[i:end]]
                i = end
            elif text[i] == '"' or (text[i] == "#" and re.match(r'#+"', text[i:])):
                end, fragments = parse_string(text, i)
                self.literals[i] = (end, fragments)
                masked[i:end] = [c if c == "\n" else "S" for c in text[i:end]]
                i = end
            else:
                i += 1
        self.masked = "".join(masked)

    def _block_comment_end(self, i):
        depth, n = 0, len(self.text)
        while i < n:
            if self.text.startswith("/*", i):
                depth += 1
                i += 2
            elif self.text.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    return i
            else:
                i += 1
        return n

    def line_of(self, offset):
        return self.text.count("\n", 0, offset) + 1

    def arguments(self, open_paren):
        """The top-level arguments of the call whose "(" is at `open_paren`, as (start, end) spans."""
        depth, start, args = 0, open_paren + 1, []
        i = open_paren
        while i < len(self.masked):
            c = self.masked[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth == 0:
                    args.append((start, i))
                    return args
            elif c == "," and depth == 1:
                args.append((start, i))
                start = i + 1
            i += 1
        return args

    def message(self, start, end):
        """The fragments of an argument built from string literals joined by `+` (other pieces become
        wildcards), or None when the argument holds no literal at the top level."""
        code = self.masked[start:end]
        label = re.match(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*:(?!:)\s*", code)
        if label:
            start += label.end()
        pieces, depth, piece_start = [], 0, start
        for i in range(start, end):
            c = self.masked[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == "+" and depth == 0:
                pieces.append((piece_start, i))
                piece_start = i + 1
        pieces.append((piece_start, end))
        fragments, any_literal = [], False
        for a, b in pieces:
            text = self.masked[a:b]
            lead = len(text) - len(text.lstrip())
            literal = self.literals.get(a + lead)
            if literal and not self.masked[literal[0]:b].strip():
                fragments.extend(literal[1])
                any_literal = True
            else:
                fragments.append(WILDCARD)
        return fragments if any_literal else None

    def function_bodies(self, name):
        """The (start, end) spans of the bodies of functions called `name`."""
        spans = []
        for match in re.finditer(r"\bfunc\s+" + re.escape(name) + r"\s*[(<]", self.masked):
            brace = self.masked.find("{", match.end())
            depth = 0
            for i in range(brace, len(self.masked)):
                if self.masked[i] == "{":
                    depth += 1
                elif self.masked[i] == "}":
                    depth -= 1
                    if depth == 0:
                        spans.append((brace, i))
                        break
        return spans


def parse_string(text, i):
    """Parses the Swift string literal at `i`; returns (end offset, fragments)."""
    hashes = 0
    while text[i] == "#":
        hashes += 1
        i += 1
    multiline = text.startswith('"""', i)
    quote = '"""' if multiline else '"'
    closing = quote + "#" * hashes
    escape = "\\" + "#" * hashes
    i += len(quote)
    fragments, current = [], []
    while i < len(text):
        if text.startswith(closing, i):
            i += len(closing)
            break
        if text.startswith(escape, i):
            j = i + len(escape)
            c = text[j] if j < len(text) else ""
            if c == "(":
                if current:
                    fragments.append("".join(current))
                    current = []
                fragments.append(WILDCARD)
                i = skip_interpolation(text, j)
                continue
            simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}
            if c in simple:
                current.append(simple[c])
                i = j + 1
            elif c == "u" and text.startswith("{", j + 1):
                close = text.index("}", j)
                current.append(chr(int(text[j + 2:close], 16)))
                i = close + 1
            elif c == "\n":  # line continuation in a multi-line literal
                i = j + 1
            else:
                current.append(text[i])
                i += 1
            continue
        current.append(text[i])
        i += 1
    if current:
        fragments.append("".join(current))
    if multiline:
        fragments = [dedent_multiline(f) if f is not WILDCARD else f for f in fragments]
    return i, fragments


def dedent_multiline(fragment):
    return re.sub(r"\n[ \t]*", " ", fragment)


def skip_interpolation(text, i):
    """Given `(` of an interpolation at `i`, returns the offset after its matching `)`."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            i, _ = parse_string(text, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def normalize(text):
    return re.sub(r"\s+", " ", text).strip()


def pieces(fragments):
    """The literal pieces worth matching: whitespace collapsed, punctuation-only pieces dropped."""
    out = []
    for fragment in fragments:
        if fragment is WILDCARD:
            continue
        text = normalize(fragment)
        if re.search(r"[A-Za-z0-9]", text):
            out.append(text)
    return out


def render(fragments):
    return "".join("…" if f is WILDCARD else f for f in fragments).strip()


def collect(root):
    """Every message: (path, line, fragments), deduplicated by rendering."""
    found, seen = [], set()
    for folder, _, names in os.walk(os.path.join(root, "Sources")):
        for name in sorted(names):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as handle:
                source = SwiftSource(rel, handle.read())
            messages = []
            for pattern, which, folders, prefix in CALLS:
                if folders and not any(rel.startswith(f + "/") for f in folders):
                    continue
                for match in re.finditer(pattern, source.masked):
                    before = source.masked[max(0, match.start() - 30):match.start()]
                    if re.search(r"\b(?:func|init|struct|extension|enum|class)\s+$", before):
                        continue  # a declaration, not a call
                    args = source.arguments(match.end() - 1)
                    if isinstance(which, int):
                        args = args[which:which + 1]
                    for start, end in args:
                        arg = source.masked[start:end].strip()
                        if isinstance(which, str) and which != "first" and not arg.startswith(which + ":"):
                            continue
                        fragments = source.message(start, end)
                        if fragments is None:
                            continue
                        messages.append((source.line_of(match.start()), [prefix] + fragments if prefix else fragments))
                        break
            if rel in DESCRIPTION_FILES:
                for match in re.finditer(r"\breturn\s+", source.masked):
                    if match.end() in source.literals:
                        messages.append((source.line_of(match.start()), source.literals[match.end()][1]))
            for name in SENTENCE_FUNCTIONS.get(rel, []):
                for body_start, body_end in source.function_bodies(name):
                    for offset, (_, fragments) in sorted(source.literals.items()):
                        text = "".join(f for f in fragments if f is not WILDCARD)
                        if body_start < offset < body_end and " " in text.strip():
                            messages.append((source.line_of(offset), fragments))
            for line, fragments in sorted(messages, key=lambda m: m[0]):
                literal = "".join(pieces(fragments))
                if len(re.findall(r"[A-Za-z]", literal)) < 4:
                    continue  # nothing but interpolations: the wrapped error is documented where it is made
                key = render(fragments)
                if key in seen:
                    continue
                seen.add(key)
                found.append((rel, line, fragments))
    return found


def blocks(text):
    """The document as logical lines: a paragraph or one list item (with its wrapped lines) per entry."""
    out, current = [], []
    for line in text.split("\n"):
        starts = re.match(r"\s*(?:[-*+] |\d+\. |#|```|\|)", line)
        if not line.strip() or (starts and current):
            if current:
                out.append(normalize(" ".join(current)))
            current = []
        if line.strip():
            current.append(line)
    if current:
        out.append(normalize(" ".join(current)))
    return out


def documented(fragments, lines):
    wanted = pieces(fragments)
    pattern = re.compile(".*?".join(re.escape(p) for p in wanted))
    return any(pattern.search(line) for line in lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--root", default=os.path.dirname(here), help="the package folder")
    parser.add_argument("--doc", help="the document (default: ROOT/docs/troubleshooting.md)")
    parser.add_argument("--list", action="store_true", help="print every message found, documented or not")
    args = parser.parse_args()
    doc = args.doc or os.path.join(args.root, "docs", "troubleshooting.md")
    messages = collect(args.root)
    if not messages:
        print("no messages found under %s/Sources; is --root right?" % args.root, file=sys.stderr)
        return 2
    if args.list:
        for path, line, fragments in messages:
            print("%s:%d: %s" % (path, line, render(fragments)))
        return 0
    try:
        with open(doc, encoding="utf-8") as handle:
            lines = blocks(handle.read())
    except OSError as error:
        print("cannot read %s: %s" % (doc, error.strerror), file=sys.stderr)
        return 2
    missing = [(p, l, f) for p, l, f in messages if not documented(f, lines)]
    for path, line, fragments in missing:
        print("%s:%d: not in %s: %s" % (path, line, os.path.relpath(doc, args.root), render(fragments)))
    if missing:
        print("%d of %d messages are missing from %s" % (len(missing), len(messages), doc), file=sys.stderr)
        return 1
    print("all %d messages are documented in %s" % (len(messages), os.path.relpath(doc, args.root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
