"""What the checking programs share: a GET of a Prometheus- or Loki-style API that must
succeed, and a stable key for a label set."""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def get(base, path, params):
    """The `data` of a successful answer; exits with the URL and the answer otherwise."""
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            body = json.load(resp)
    except urllib.error.HTTPError as err:
        sys.exit(f"GET {url}: HTTP {err.code}: {err.read()[:500]!r}")
    if body.get("status") != "success":
        sys.exit(f"GET {url}: status is not success: {json.dumps(body)[:500]}")
    return body["data"]


def key(labels):
    """A label set as a string that compares equal exactly when the sets are equal."""
    return json.dumps(labels, sort_keys=True, ensure_ascii=False)
