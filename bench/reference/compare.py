"""Reference for bench/vs-python.sh: the compare gate's documented rule, written plainly in Python.

Per task, drop = baseline - candidate on the score's own scale (points when any score is above 1); the gate passes
when no drop exceeds the threshold (1 point by default). Not day0's gate: no scale table, no noise, no report.
"""
import json
import sys


def main(base_path, cand_path, threshold=0.01):
    with open(base_path) as f:
        base = json.load(f)
    with open(cand_path) as f:
        cand = json.load(f)
    percent = any(v > 1 for v in base.values()) or any(v > 1 for v in cand.values())
    limit = threshold * 100 if percent else threshold
    per_task = {}
    worst = None
    for task, b in base.items():
        if task not in cand:
            per_task[task] = {"ok": False, "reason": "missing in candidate"}
            continue
        drop = b - cand[task]
        ok = drop <= limit
        per_task[task] = {"baseline": b, "candidate": cand[task], "drop": round(drop, 4), "ok": ok}
        worst = drop if worst is None else max(worst, drop)
    passed = all(t["ok"] for t in per_task.values())
    print(json.dumps({"pass": passed, "failure_class": None if passed else "REGRESSION",
                      "max_drop": worst, "per_task": per_task}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
