"""Reference for bench/vs-python.sh: the ptq gate's size and coverage rule, written plainly in Python."""
import json
import sys

TARGET = {"nvfp4": "nvfp4", "fp8": "fp8", "int4_awq": "int4"}


def main(path):
    with open(path) as f:
        s = json.load(f)
    counts = {k.lower(): v for k, v in s.get("layer_precision_counts", {}).items()}
    ratio = s["output_bytes"] / s["source_bytes"]
    covered = counts.get(TARGET.get(s.get("recipe", "").lower(), ""), 0)
    reasons = []
    if ratio >= 1:
        reasons.append("size not reduced")
    if covered == 0:
        reasons.append("model unsupported")
    if counts.get("unexpected_unquantized", 0) > 0:
        reasons.append("coverage")
    if s.get("metadata_diffs"):
        reasons.append("metadata")
    print(json.dumps({"pass": not reasons, "size_ratio": round(ratio, 4), "covered": covered, "reasons": reasons}))
    return 0 if not reasons else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
