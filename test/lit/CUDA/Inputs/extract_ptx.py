#!/usr/bin/env python3
"""Prints the PTX embedded in an MLIR module (gpu.binary objects with
`assembly = "..."`), decoding MLIR's string escapes.

    extract_ptx.py [MODULE.mlir] [--arch sm_90]

Reads stdin without a file. With --arch, only the objects of that chip.
"""
import re
import sys


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n in '"\\':
                out.append(ord(n))
                i += 2
                continue
            if n == "n":
                out.append(10)
                i += 2
                continue
            if n == "t":
                out.append(9)
                i += 2
                continue
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
            continue
        out.extend(c.encode("utf-8"))
        i += 1
    return out.decode("utf-8")


def main():
    args = sys.argv[1:]
    arch = None
    if "--arch" in args:
        k = args.index("--arch")
        arch = args[k + 1]
        del args[k:k + 2]
    text = open(args[0]).read() if args else sys.stdin.read()
    obj = re.compile(r'#gpu\.object<#nvvm\.target<([^>]*)>[^"]*?assembly = "((?:[^"\\]|\\.)*)"')
    found = 0
    for m in obj.finditer(text):
        chip = re.search(r'chip = "([^"]+)"', m.group(1))
        if arch and (not chip or chip.group(1) != arch):
            continue
        sys.stdout.write(unescape(m.group(2)))
        found += 1
    if not found:
        sys.exit("extract_ptx.py: no PTX object found")


if __name__ == "__main__":
    main()
