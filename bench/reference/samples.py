"""Reference for `day0 inspect eval` over lm-eval samples: a plain json.loads loop over one samples .jsonl file.

Usage: samples.py SAMPLES_JSONL. Prints the mean of `acc` over the lines.
"""
import json
import sys

n = 0
total = 0.0
with open(sys.argv[1]) as f:
    for line in f:
        sample = json.loads(line)
        n += 1
        total += sample["acc"]
print(n, total / n if n else float("nan"))
