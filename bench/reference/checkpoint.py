"""Reference for `day0 inspect checkpoint`: read each safetensors header of both directories with json.loads.

Usage: checkpoint.py SOURCE_DIR OUTPUT_DIR. Prints the tensor counts; no checks beyond what json.loads does.
"""
import json
import os
import struct
import sys

counts = []
for d in sys.argv[1:3]:
    n = 0
    for name in sorted(os.listdir(d)):
        if name.endswith(".safetensors"):
            with open(os.path.join(d, name), "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(length))
                n += sum(1 for key in header if key != "__metadata__")
    counts.append(n)
print(counts)
