#!/usr/bin/python3
"""One dashboard of a running `argus serve` in the browser of the UI tests: every panel drawn
(collapsed rows opened, the page scrolled so that each panel asks for its data), none with an
error, and at least `--min-data` of them with data.

    /usr/bin/python3 tests/ui/dashboard.py --url http://127.0.0.1:9180 --path /d/UID \
        --min-data 12 [--screenshots DIR --name NAME]

Prints the panels without data and exits 1 on a failure. With --screenshots, saves the
dashboard as DIR/NAME-light.png and DIR/NAME-dark.png. `tests/cli/mysql_example.rs` runs it.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import DESKTOP, Browser, Failure, open_every_panel  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--min-data", type=int, required=True)
    p.add_argument("--screenshots")
    p.add_argument("--name", default="dashboard")
    args = p.parse_args()
    b = Browser(args.url)
    try:
        b.set_size(*DESKTOP)
        panels = open_every_panel(b, args.path)
        print(f"{len(panels['data'])} panels with data; without: {panels['no data']}; errors: {panels['error']}")
        if panels["error"]:
            raise Failure(f"panels with errors: {panels['error']}")
        if len(panels["data"]) < args.min_data:
            raise Failure(f"{len(panels['data'])} panels with data, fewer than {args.min_data}")
        b.assert_no_console_errors(args.path)
        if args.screenshots:
            # Tall enough for the whole dashboard, so that every panel loads before the picture.
            b.set_size(DESKTOP[0], 1500)
            for theme in ("light", "dark"):
                b.set_theme(theme)
                b.open(args.path, ready=".dash-panel")
                b.wait("the panels", lambda d: not any(s.text for s in d.find_elements("css selector", ".dash-panel .panel-status"))
                       and len(d.find_elements("css selector", ".dash-panel canvas")) >= 1)
                b.screenshot(os.path.join(args.screenshots, f"{args.name}-{theme}.png"))
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    finally:
        b.d.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
