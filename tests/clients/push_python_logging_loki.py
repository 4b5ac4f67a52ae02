"""Sends log lines to a Loki push endpoint through python-logging-loki's LokiHandler.

Usage: push_python_logging_loki.py PUSH_URL COUNT EXPECTED_JSON

The handler posts one JSON push request per record, synchronously, so every line is
acknowledged (or has failed) when logger.log returns. Its stream labels are the handler's
`tags`, plus `severity` (the level name, lower case) and `logger` (the logger's name), plus the
record's own `extra={"tags": ...}`. The line is whatever the handler's formatter makes of the
record; with no formatter set that is logging's default "%(message)s", i.e. the message itself.

The streams and lines the server should now hold are written to EXPECTED_JSON as
{"streams": [{"labels": {...}, "lines": [...]}, ...]}, lines in the order they were logged.
"""

import json
import logging
import sys

import logging_loki


def main():
    url, count, expected_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]

    handler = logging_loki.LokiHandler(
        url=url, tags={"app": "clients-python", "client": "python-logging-loki"}, version="1"
    )
    # The handler reports a failed push through handleError, which by default only prints a
    # traceback and carries on; keep the errors so that a refused push fails this program.
    failures = []
    handler.handleError = lambda record: failures.append(repr(sys.exc_info()[1]))

    logger = logging.getLogger("argus.clients")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)

    # Two levels and two per-record tags give four streams, interleaved line by line.
    streams = {}
    for i in range(count):
        level = logging.INFO if i % 2 == 0 else logging.WARNING
        half = "first" if i < count // 2 else "second"
        # Characters that JSON must escape, and some beyond ASCII, in some of the lines.
        message = f"python line {i:04d} of {count}"
        if i % 7 == 0:
            message += ' with "quotes", a back\\slash, a\ttab and ünïcödé ✓'
        logger.log(level, message, extra={"tags": {"half": half}})

        labels = {
            "app": "clients-python",
            "client": "python-logging-loki",
            "severity": logging.getLevelName(level).lower(),
            "logger": logger.name,
            "half": half,
        }
        key = json.dumps(labels, sort_keys=True)
        streams.setdefault(key, {"labels": labels, "lines": []})["lines"].append(message)

    handler.emitter.close()
    if failures:
        sys.exit(f"python-logging-loki: {len(failures)} pushes failed, first: {failures[0]}")
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump({"streams": list(streams.values())}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
