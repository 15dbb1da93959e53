"""Reference for bench/vs-python.sh: the verbosity gate's rule (mean completion tokens per task, two-sided
relative change within the threshold), written plainly in Python."""
import glob
import json
import os
import sys


def harvest(root):
    tokens = {}
    for path in glob.glob(os.path.join(root, "eval_*", "**", "artifacts", "eval_factory_metrics.json"),
                          recursive=True):
        task = os.path.basename(os.path.dirname(os.path.dirname(path)))
        with open(path) as f:
            stats = json.load(f)["response_stats"]
        tokens.setdefault(task, []).append(stats["avg_completion_tokens"])
    return {t: sum(v) / len(v) for t, v in tokens.items()}


def main(base_dir, cand_dir, threshold=0.05):
    base, cand = harvest(base_dir), harvest(cand_dir)
    per_task = {}
    for task in sorted(set(base) & set(cand)):
        delta = (cand[task] - base[task]) / base[task]
        per_task[task] = {"delta": round(delta, 4), "within_threshold": abs(delta) <= threshold}
    passed = bool(per_task) and all(t["within_threshold"] for t in per_task.values())
    print(json.dumps({"pass": passed, "per_task": per_task}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
