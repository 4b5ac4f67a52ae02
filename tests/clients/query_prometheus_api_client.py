"""Queries argus through prometheus-api-client and compares with other answers to the same query.

Usage: query_prometheus_api_client.py ARGUS_URL PROMETHEUS_URL QUERY START END STEP CURL_JSON

START and END are whole Unix seconds (the client rounds its datetimes to whole seconds anyway).
CURL_JSON is argus' own answer to /api/v1/query_range with the same parameters, fetched with
curl. Checks that these are one and the same result (series and every [time, value] pair):
- PrometheusConnect(...).custom_query_range on argus, with GET (the client's default);
- the same with method="POST" (the parameters in a form body);
- argus' answer fetched with curl;
- the same client on the real Prometheus (whose data argus received by remote_write; the range
  must end before the remote_write cutoff).
Also checks that all_metrics(), the metric names, are the same on both servers.
"""

import json
import sys
from datetime import datetime, timezone

from prometheus_api_client import PrometheusConnect


def canonical(result):
    """Series key -> list of [time, value], to compare results whatever their series order."""
    return {json.dumps(s["metric"], sort_keys=True): s["values"] for s in result}


def main():
    argus_url, prom_url, query, start, end, step, curl_path = sys.argv[1:8]
    start_time = datetime.fromtimestamp(int(start), tz=timezone.utc)
    end_time = datetime.fromtimestamp(int(end), tz=timezone.utc)

    def ask(url, method):
        client = PrometheusConnect(url=url, disable_ssl=True, method=method)
        with client:
            return client.custom_query_range(query, start_time=start_time, end_time=end_time, step=step)

    answers = {
        "client GET on argus": ask(argus_url, "GET"),
        "client POST on argus": ask(argus_url, "POST"),
        "client GET on prometheus": ask(prom_url, "GET"),
    }
    with open(curl_path, encoding="utf-8") as f:
        body = json.load(f)
    if body.get("status") != "success" or body["data"]["resultType"] != "matrix":
        sys.exit(f"curl on argus: not a successful matrix: {json.dumps(body)[:300]}")
    answers["curl on argus"] = body["data"]["result"]

    reference = canonical(answers["client GET on argus"])
    points = sum(len(v) for v in reference.values())
    if points == 0:
        sys.exit(f"prometheus-api-client: {query!r} gave no points on argus")
    problems = []
    for name, result in answers.items():
        other = canonical(result)
        if other != reference:
            keys = sorted(set(reference) | set(other))
            diff = next(k for k in keys if reference.get(k) != other.get(k))
            problems.append(
                f"{name} differs from client GET on argus for {diff}: "
                f"{json.dumps(other.get(diff))[:300]} vs {json.dumps(reference.get(diff))[:300]}"
            )

    with PrometheusConnect(url=argus_url, disable_ssl=True) as a, PrometheusConnect(
        url=prom_url, disable_ssl=True
    ) as p:
        argus_names, prom_names = set(a.all_metrics()), set(p.all_metrics())
    if argus_names != prom_names:
        problems.append(
            f"all_metrics differ: argus lacks {sorted(prom_names - argus_names)[:5]}, "
            f"has more {sorted(argus_names - prom_names)[:5]}"
        )

    if problems:
        print(f"clients: prometheus-api-client: FAILED for {query}", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(
        f"clients: prometheus-api-client: {query}: {len(reference)} series, {points} points, "
        f"the same by GET, POST, curl and on Prometheus ({len(argus_names)} metric names alike)"
    )


if __name__ == "__main__":
    main()
