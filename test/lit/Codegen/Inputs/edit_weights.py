#!/usr/bin/env python3
"""Bad weights files for the --weights=external tests (standard library only).

    edit_weights.py IN OUT drop KEY            without KEY
    edit_weights.py IN OUT dtype KEY DTYPE     KEY's header says DTYPE (data unchanged)
    edit_weights.py IN OUT shape KEY AxB       KEY's header says shape AxB (data unchanged)
    edit_weights.py IN OUT truncate N          the last N bytes cut off
    edit_weights.py IN - keys                  one line per tensor: key dtype shape, file order
"""
import json
import struct
import sys


def main():
    src, dst, op, *args = sys.argv[1:]
    data = open(src, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    if op == "keys":
        for key, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
            print(key, t["dtype"], "x".join(map(str, t["shape"])))
        return
    if op == "truncate":
        open(dst, "wb").write(data[:len(data) - int(args[0])])
        return
    if op == "drop":
        header.pop(args[0])
    elif op == "dtype":
        header[args[0]]["dtype"] = args[1]
    elif op == "shape":
        header[args[0]]["shape"] = [int(d) for d in args[1].split("x")]
    else:
        sys.exit(__doc__)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    open(dst, "wb").write(struct.pack("<Q", len(text)) + text + body)


if __name__ == "__main__":
    main()
