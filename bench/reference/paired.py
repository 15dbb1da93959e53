"""Reference for paired noise (`gate compare --noise paired`): read both per-sample files with json.loads, average
each item's repeats per side, pair the items by doc_id and print the mean and standard error of the per-item drop.

Usage: paired.py BASELINE_JSONL CANDIDATE_JSONL
"""
import json
import math
import sys


def per_item(path):
    sums = {}
    with open(path) as f:
        for line in f:
            sample = json.loads(line)
            metric = sample["metrics"][0]
            entry = sums.setdefault(sample["doc_id"], [0.0, 0])
            entry[0] += float(sample[metric])
            entry[1] += 1
    return {key: s / n for key, (s, n) in sums.items()}


baseline = per_item(sys.argv[1])
candidate = per_item(sys.argv[2])
deltas = [baseline[key] - candidate[key] for key in baseline if key in candidate]
n = len(deltas)
mean = sum(deltas) / n
var = sum((d - mean) ** 2 for d in deltas) / (n - 1)
print(n, mean, math.sqrt(var / n))
