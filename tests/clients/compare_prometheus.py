"""Compares what a real Prometheus scraped with what its remote_write delivered to argus.

Usage: compare_prometheus.py PROMETHEUS_URL ARGUS_URL SELECTOR START CUTOFF END

START is a time (Unix seconds) before the first scrape, END one after Prometheus stopped, and
CUTOFF a time before the shutdown by more than remote_write's batch deadline: every sample
scraped at or before CUTOFF had been sent before Prometheus was told to stop, so argus must
hold all of them whatever happens at shutdown. Checks, on both servers' HTTP APIs:
- /api/v1/series for SELECTOR over START..CUTOFF: the same set of series;
- an instant query of SELECTOR[range] at CUTOFF, the range reaching back before START: for
  every series the same raw samples, timestamps and values, values printed alike;
- the same query at END: argus holds nothing Prometheus doesn't (samples after CUTOFF were sent
  by the shutdown flush; how many of them arrived is reported, not required).
Needs at least the series named in REQUIRED among the compared ones, each with several samples.
"""

import json
import math
import sys

from api import get, key

REQUIRED = ["node_cpu_seconds_total", "up", "scrape_duration_seconds", "scrape_samples_scraped"]
MIN_SAMPLES = 5


def series(base, selector, start, end):
    data = get(base, "/api/v1/series", {"match[]": selector, "start": start, "end": end})
    return {key(s) for s in data}


def raw_samples(base, selector, range_s, at):
    """Series key -> [(timestamp in ms, value as printed)] for SELECTOR[range] at time AT."""
    data = get(base, "/api/v1/query", {"query": f"{selector}[{range_s}s]", "time": at})
    if data["resultType"] != "matrix":
        sys.exit(f"{base}: {selector}[{range_s}s] gave {data['resultType']}, not a matrix")
    out = {}
    for s in data["result"]:
        out[key(s["metric"])] = [(round(float(t) * 1000), v) for t, v in s["values"]]
    return out


def main():
    prom, argus, selector, start, cutoff, end = sys.argv[1:7]
    range_s = math.ceil(float(end) - float(start)) + 60
    problems = []

    prom_series = series(prom, selector, start, cutoff)
    argus_series = series(argus, selector, start, cutoff)
    if prom_series != argus_series:
        missing = sorted(prom_series - argus_series)
        extra = sorted(argus_series - prom_series)
        problems.append(
            f"/api/v1/series differ: argus lacks {len(missing)} {missing[:3]}, "
            f"has {len(extra)} more {extra[:3]}"
        )

    want = raw_samples(prom, selector, range_s, cutoff)
    got = raw_samples(argus, selector, range_s, cutoff)
    if set(want) != set(got):
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        problems.append(
            f"{selector}[{range_s}s] at {cutoff}: argus lacks {len(missing)} series {missing[:3]}, "
            f"has {len(extra)} more {extra[:3]}"
        )
    samples = 0
    for k in sorted(set(want) & set(got)):
        w, g = want[k], got[k]
        if w == g:
            samples += len(w)
            continue
        diff = next(
            (f"sample {i}: prometheus {a}, argus {b}" for i, (a, b) in enumerate(zip(w, g)) if a != b),
            f"prometheus {len(w)} samples, argus {len(g)}",
        )
        problems.append(f"{k}: samples differ: {diff}")

    names = {json.loads(k).get("__name__") for k in want}
    for name in REQUIRED:
        counts = [len(v) for k, v in want.items() if json.loads(k).get("__name__") == name]
        if not counts or min(counts) < MIN_SAMPLES:
            problems.append(f"too little to compare: {name} has sample counts {counts}")

    # After the cutoff: the shutdown flush. Argus must not have anything Prometheus lacks.
    want_all = raw_samples(prom, selector, range_s, end)
    got_all = raw_samples(argus, selector, range_s, end)
    tail_want = tail_got = 0
    for k, g in got_all.items():
        w = dict(want_all.get(k, []))
        for t, v in g:
            if w.get(t) != v:
                problems.append(f"{k}: argus has a sample Prometheus lacks: {t} {v}")
                break
    for k, w in want_all.items():
        tail_want += sum(1 for t, _ in w if t > float(cutoff) * 1000)
        tail_got += sum(1 for t, _ in got_all.get(k, []) if t > float(cutoff) * 1000)

    if problems:
        print("clients: prometheus remote_write: FAILED", file=sys.stderr)
        for p in problems[:10]:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(
        f"clients: prometheus remote_write: {len(want)} series, {samples} samples identical "
        f"on both servers ({len(names)} metric names; after the cutoff {tail_got}/{tail_want} "
        "samples arrived)"
    )


if __name__ == "__main__":
    main()
