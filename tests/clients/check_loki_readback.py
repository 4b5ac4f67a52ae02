"""Reads log streams back through Loki's query API and compares them with what was pushed.

Usage: check_loki_readback.py BASE_URL SELECTOR START_NS END_NS EXPECTED_JSON NAME

EXPECTED_JSON is {"streams": [{"labels": {...}, "lines": [...]}, ...]} as written by the push
programs; a stream may also name "result_labels", the labels a query shows for it when they are
not the pushed ones (structured metadata is shown among them). Checks, through /loki/api/v1/query_range with `limit` 5000:
- forward: exactly the expected streams (same label sets, none split in two), and in each one
  exactly the expected lines in the order they were logged, with times never going back;
- backward: the same entries, newest first (the forward list reversed);
- /loki/api/v1/labels and /loki/api/v1/label/<name>/values know every pushed label and value.
Prints one summary line, or the first differences and exits 1.
"""

import json
import sys

from api import get, key


def read_streams(base, selector, start, end, direction):
    data = get(
        base,
        "/loki/api/v1/query_range",
        {"query": selector, "start": start, "end": end, "limit": 5000, "direction": direction},
    )
    if data.get("resultType") != "streams":
        sys.exit(f"query_range {selector}: resultType is {data.get('resultType')!r}, not streams")
    got = {}
    for stream in data["result"]:
        k = key(stream["stream"])
        if k in got:
            sys.exit(f"query_range {selector} ({direction}): stream {k} returned twice")
        got[k] = [(int(ts), line) for ts, line, *_ in stream["values"]]
    return got


def first_difference(want, got):
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return f"line {i}: want {w!r}, got {g!r}"
    return f"want {len(want)} lines, got {len(got)}"


def main():
    base, selector, start, end, expected_path, name = sys.argv[1:7]
    with open(expected_path, encoding="utf-8") as f:
        streams = json.load(f)["streams"]
    expected = {key(s.get("result_labels", s["labels"])): s["lines"] for s in streams}
    total = sum(len(lines) for lines in expected.values())
    problems = []

    forward = read_streams(base, selector, start, end, "forward")
    if set(forward) != set(expected):
        problems.append(
            f"stream label sets differ: missing {sorted(set(expected) - set(forward))}, "
            f"unexpected {sorted(set(forward) - set(expected))}"
        )
    matched = 0
    for k, want in expected.items():
        entries = forward.get(k, [])
        got = [line for _, line in entries]
        if got == want:
            matched += len(want)
        else:
            problems.append(f"stream {k}: {first_difference(want, got)}")
        times = [ts for ts, _ in entries]
        if times != sorted(times):
            problems.append(f"stream {k}: forward times go back")

    backward = read_streams(base, selector, start, end, "backward")
    for k, entries in forward.items():
        if backward.get(k) != entries[::-1]:
            problems.append(
                f"stream {k}: backward is not forward reversed: "
                + first_difference(entries[::-1], backward.get(k, []))
            )

    pushed = {}
    for s in streams:
        for label, value in s["labels"].items():
            pushed.setdefault(label, set()).add(value)
    names = get(base, "/loki/api/v1/labels", {"start": start, "end": end})
    for label, values in sorted(pushed.items()):
        if label not in names:
            problems.append(f"/loki/api/v1/labels lacks {label!r}: {names}")
        known = get(base, f"/loki/api/v1/label/{label}/values", {"start": start, "end": end})
        for value in sorted(values - set(known)):
            problems.append(f"/loki/api/v1/label/{label}/values lacks {value!r}: {known}")

    if problems:
        print(f"clients: {name}: FAILED, {matched}/{total} lines read back as pushed", file=sys.stderr)
        for p in sorted(set(problems))[:10]:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(
        f"clients: {name}: {matched}/{total} lines read back in order "
        f"({len(expected)} streams, forward and backward)"
    )


if __name__ == "__main__":
    main()
