"""Reference for bench/vs-python.sh: the run gate's documented per-task checks, written plainly in Python."""
import json
import math
import sys


def main(path):
    with open(path) as f:
        tasks = json.load(f)["tasks"]
    per_task = {}
    for name, t in tasks.items():
        reasons = []
        if t.get("status") != "SUCCESS":
            reasons.append("failed")
        if t.get("errors"):
            reasons.append("error: " + t["errors"][0])
        exp, got = t.get("expected_samples"), t.get("scored_samples")
        if exp is not None and got is not None and exp != got or exp == 0:
            reasons.append("sample accounting")
        score = t.get("score")
        if not isinstance(score, (int, float)) or not math.isfinite(score):
            reasons.append("no score")
        per_task[name] = {"ok": not reasons, "reasons": reasons}
    passed = bool(per_task) and all(t["ok"] for t in per_task.values())
    print(json.dumps({"pass": passed, "per_task": per_task}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
