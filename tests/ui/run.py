#!/usr/bin/python3
"""argus' web UI in a real browser: Debian's chromium, headless, against a running `argus serve`.

    /usr/bin/python3 tests/ui/run.py --url http://127.0.0.1:9180 [--only NAME] [--screenshots DIR]

Prints one line per check (`ok NAME` or `FAIL NAME: reason`; `bug NAME: reason` for a check
marked as failing for a known bug of the UI, which does not fail the run) and exits 1 if any
failed. With `--screenshots DIR`, also saves every view in the light and dark theme as
DIR/<view>-<theme>.png.
`tests/cli/ui.rs` starts the server with data (self-scrape, a node exporter, an unreachable
target, log lines, an hour of `demo_requests_total`) and runs this.

Needs the Debian packages chromium, chromium-driver and python3-selenium
(`scripts/install-test-deps`), and Debian's python (/usr/bin/python3), whose selenium they are.

A new check is one function taking the `Browser` (see harness.py), decorated with `@check`.
"""

import argparse
import os
import re
import sys
import urllib.request
import time
import json
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    CHECKS,
    DESKTOP,
    PHONE,
    THEMES,
    VIEWS,
    Browser,
    Failure,
    check,
    open_every_panel,
    run_checks,
    take_screenshots,
    view,
)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

# A metric every argus serve has after its first self-scrape.
SELF_METRIC = "argus_http_requests_total"
# One series of it, growing at every self-scrape: a line that no other series hides.
SELF_SERIES = SELF_METRIC + '{handler="/metrics"}'
# The demo counter's hour (tests/cli/ui.rs ingests it), as rates: three lines across a graph.
DEMO = "sum by (code) (rate(demo_requests_total[5m]))"
# Grafana's Node Exporter Full (shared/dashboards; tests/cli/ui.rs puts it in the folder of
# --dashboards), over the data of the node exporter the server scrapes.
NODE_EXPORTER_FULL = "/d/rYdddlPWk/node-exporter-full?from=now-5m&to=now"
# Panels of Node Exporter Full with data from this machine's node exporter: 106 in the last run
# (of 125; the other 19 need collectors that are off by default, or hardware and kernel files
# this virtual machine lacks: "No data", as in Grafana). Fewer than this fails the check,
# which leaves room for two collectors that fail on a given run.
NODE_EXPORTER_FULL_PANELS_WITH_DATA = 104
# Backgrounds of the two themes (web/src/style.css, --bg).
BACKGROUND = {"light": (255, 255, 255), "dark": (15, 17, 21)}


def q(**params):
    """The query page's URL with these panel parameters (`g0_expr` for `g0.expr`)."""
    return "/query?" + urllib.parse.urlencode({k.replace("_", ".", 1): v for k, v in params.items()})


def table_rows(b):
    return b.find("table.result tr")


def wait_rows(b, what="the Table tab's rows"):
    return b.wait(what, lambda d: table_rows(b) or None)


def graph_canvas(b):
    return b.wait_for(".graph-canvas canvas")


def first_series_colour(b):
    swatch = b.wait_for(".graph-legend .legend-item .swatch")
    return b.css_colour(swatch, "backgroundColor")


def wait_drawn(b, colour, minimum=20):
    """Waits until the graph's canvas has at least `minimum` pixels of `colour`."""
    canvas = graph_canvas(b)
    seen = {}

    def drawn(_):
        seen["px"] = b.canvas_pixels(canvas, colour)
        return seen["px"][0] >= minimum

    try:
        b.wait(f"{minimum} pixels of rgb{colour} on the graph", drawn)
    except Failure as e:
        match, any_ = seen.get("px", (0, 0))
        raise Failure(f"{e} ({match} of that colour, {any_} drawn at all)") from None
    return seen["px"]


# --- the Query page ---------------------------------------------------------------------------


@check
def query_page_loads_in_both_themes_and_sizes(b):
    """The page and its controls come up with no console error, in the light and the dark theme,
    on a desktop and a phone, with the theme's colours and nothing wider than the screen."""
    for theme in THEMES:
        for width, height in (DESKTOP, PHONE):
            where = f"{theme} {width}x{height}"
            b.set_theme(theme)
            b.set_size(width, height)
            b.open("/query")
            b.wait_for("button.primary")
            got = b.js("return document.documentElement.dataset.theme")
            assert got == theme, f"{where}: data-theme is {got!r}"
            bg = b.css_colour(b.d.find_element("css selector", "body"), "backgroundColor")
            assert bg == BACKGROUND[theme], f"{where}: the background is rgb{bg}"
            for css in (".cm-content", "button.primary", ".tabs .tab.active", "nav .brand"):
                assert any(e.is_displayed() for e in b.find(css)), f"{where}: {css} is not shown"
            title = b.d.title
            assert title.startswith("Query"), f"{where}: the title is {title!r}"
            inner, scroll = b.js(
                "return [window.innerWidth, document.documentElement.scrollWidth]"
            )
            assert inner == width, f"{where}: the viewport is {inner} px wide"
            assert scroll <= inner, f"{where}: the page is {scroll} px wide on a {inner} px screen"
            b.assert_no_console_errors(where)


@check
def completion_offers_the_metric_and_enter_runs_the_query(b):
    """Typing a metric name offers it (with its type and help from the server); taking the
    completion fills it in, and Enter runs the query: the Table tab shows rows."""
    b.open("/query")
    b.type_in_editor(SELF_METRIC[:-3])
    option = b.wait(
        f"a completion offering {SELF_METRIC}",
        lambda d: next(
            (o for o in b.find(".cm-tooltip-autocomplete li") if o.text.startswith(SELF_METRIC)), None
        ),
    )
    assert "counter" in option.text, f"the completion does not say the type: {option.text!r}"
    # Taken with the mouse: Enter would take it too, but only once it has been open for 75 ms
    # (CodeMirror's guard against taking a completion by accident), and run the query before.
    option.click()
    try:
        b.wait("the completion to close", lambda d: not b.find(".cm-tooltip-autocomplete"))
    except Failure as e:
        tips = " | ".join(t.text for t in b.find(".cm-tooltip-autocomplete"))
        raise Failure(f"{e}: it shows {tips!r}, the editor holds {b.editor_text()!r}") from None
    assert b.editor_text() == SELF_METRIC, f"the editor holds {b.editor_text()!r}"
    assert "cm-content" in b.active(), f"the focus left the editor for {b.active()}"
    assert not table_rows(b), "the query ran before Enter"
    b.keys(Keys.ENTER)
    rows = wait_rows(b)
    assert any(SELF_METRIC in r.text and 'handler="/metrics"' in r.text for r in rows), (
        "no row of the self-scrape's /metrics requests: " + " | ".join(r.text for r in rows[:5])
    )
    status = b.wait_for(".status-line").text
    assert status.startswith(f"{len(rows)} result"), f"status {status!r} for {len(rows)} rows"
    assert "g0.expr=" + SELF_METRIC in b.d.current_url, f"the URL is {b.d.current_url}"


@check
def graph_tab_draws_the_series(b):
    """Switching to Graph draws the query's series: the canvas has pixels in the colour of the
    legend's first series."""
    # The server has scraped itself for some seconds: 30 s is a line across the graph.
    b.open(q(g0_expr=SELF_SERIES, g0_tab="table", g0_range_input="30s"))
    wait_rows(b)
    b.wait_for(".tabs .tab:not(.active)").click()
    b.wait("the Graph tab to be active", lambda d: b.wait_for(".tabs .tab.active").text == "Graph")
    legend = b.wait("the legend", lambda d: b.find(".graph-legend .legend-item") or None)
    assert any(SELF_METRIC in e.text for e in legend), "the legend names no series of the metric"
    colour = first_series_colour(b)
    wait_drawn(b, colour)
    assert "g0.tab=graph" in b.d.current_url, f"the URL is {b.d.current_url}"


@check
def graph_draws_in_the_dark_theme_and_on_a_phone(b):
    """A graph in the dark theme on a phone: drawn, and no wider than the screen."""
    b.set_theme("dark")
    b.set_size(*PHONE)
    b.open(q(g0_expr=DEMO, g0_tab="graph", g0_range_input="1h"))
    colour = first_series_colour(b)
    wait_drawn(b, colour)
    canvas = graph_canvas(b)
    right = b.js("return arguments[0].getBoundingClientRect().right", canvas)
    assert right <= PHONE[0], f"the graph reaches {right} px on a {PHONE[0]} px screen"


@check
def invalid_query_shows_the_error_at_its_place(b):
    """`sum(rate(x[5m])` lacks a `)`: the server's message in an error notice, and the editor
    marks the end of the expression, where the `)` is missing (Prometheus' column 16, past
    the last character)."""
    expr = "sum(rate(x[5m])"
    # The server answers 400, which the browser logs as a failed resource.
    b.allow_console(r"status of 400")
    # Typed, the editor would close each bracket itself; the URL gives the text as it is.
    b.open(q(g0_expr=expr, g0_tab="table"))
    notice = b.wait_for(".notice.error")
    assert "unclosed left parenthesis" in notice.text, f"the notice says {notice.text!r}"
    assert "1:16" in notice.text, f"the notice gives no position: {notice.text!r}"
    assert b.editor_text() == expr, f"the editor holds {b.editor_text()!r}"
    marks = b.wait("an error mark in the editor", lambda d: error_marks(b) or None)
    # Column 16 is past the end: the editor marks the last character, so that the mark is
    # a visible range rather than a point.
    assert any(m["to"] == len(expr) for m in marks), (
        f"the error is marked at {marks}, not at the end of the text (offset {len(expr)})"
    )
    # Fixing the text clears the mark.
    b.type_in_editor(")")
    b.wait(
        "the error mark to go once the ) is typed",
        lambda d: b.editor_text() == expr + ")" and not error_marks(b),
    )


def error_marks(b):
    """The editor's error marks as {from, to, text}: text offsets in the first editor of the
    marked range (`.cm-lintRange-error`) or point (`.cm-lintPoint-error`)."""
    return b.js(
        """
        const content = document.querySelector('.cm-content');
        if (!content) return [];
        const offset = (node) => {
          let n = 0;
          const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
          for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            if (node.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) break;
            if (node.contains(t)) break;
            n += t.textContent.length;
          }
          return n;
        };
        return [...content.querySelectorAll('.cm-lintRange-error, .cm-lintPoint-error')].map((m) => {
          const from = offset(m);
          return { from, to: from + m.textContent.length, text: m.textContent };
        });
        """
    )


@check
def old_graph_url_opens_the_query_page_with_its_state(b):
    """Prometheus' `/graph?g0.expr=up&g0.tab=0&g0.range_input=15m` (alert links, bookmarks)
    ends on /query with the Graph tab and the 15m range."""
    b.d.get(b.url("/graph?g0.expr=up&g0.tab=0&g0.range_input=15m"))
    b.wait("the path /query", lambda d: urllib.parse.urlsplit(d.current_url).path == "/query")
    tab = b.wait_for(".tabs .tab.active")
    assert tab.text == "Graph", f"the active tab is {tab.text!r}"
    assert tab.get_attribute("aria-selected") == "true", "the Graph tab is not aria-selected"
    rng = b.wait_for("input.range")
    assert rng.get_attribute("value") == "15m", f"the range input shows {rng.get_attribute('value')!r}"
    assert b.editor_text() == "up", f"the editor holds {b.editor_text()!r}"
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(b.d.current_url).query)
    assert params.get("g0.expr") == ["up"], f"the URL is {b.d.current_url}"
    assert params.get("g0.range_input") == ["15m"], f"the URL is {b.d.current_url}"
    # `up` has a series per target: argus itself, the node exporter and the unreachable one.
    b.wait("a legend of three series", lambda d: len(b.find(".graph-legend .legend-item")) >= 3)


@check
def keyboard_reaches_the_editor_and_runs_with_execute(b):
    """From the top of the page, Tab reaches the editor and then the Execute button, both
    visibly focused; Enter on Execute runs the query."""
    b.open("/query")
    # The page focuses its editor; start from the top of the document instead.
    b.js(
        "const body = document.body; body.tabIndex = -1; body.focus();"
        "body.removeAttribute('tabindex'); window.scrollTo(0, 0);"
    )
    order = []
    for _ in range(25):
        b.keys(Keys.TAB)
        here = b.active()
        order.append(here)
        if here.startswith("button.primary"):
            break
    editor = next((i for i, a in enumerate(order) if "cm-content" in a), None)
    execute = next((i for i, a in enumerate(order) if a.startswith("button.primary")), None)
    assert editor is not None, "Tab never reached the editor: " + " > ".join(order)
    assert execute is not None, "Tab never reached Execute: " + " > ".join(order)
    assert editor < execute, "Tab reached Execute before the editor: " + " > ".join(order)
    outline = b.js("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused Execute button shows no focus outline"
    # Shift+Tab back into the editor, type, Tab to Execute again and press Enter.
    for _ in range(execute - editor):
        b.shift_tab()
    assert "cm-content" in b.active(), "Shift+Tab did not come back to the editor: " + b.active()
    b.keys("up")
    b.keys(Keys.ESCAPE)  # closes the completion, if it opened
    while not b.active().startswith("button.primary"):
        b.keys(Keys.TAB)
        if len(order) > 60:
            raise Failure("Tab did not come back to Execute")
        order.append(b.active())
    b.keys(Keys.ENTER)
    b.wait("the query to run (rows)", lambda d: table_rows(b) or None)


@check
def graph_drag_zooms_in(b):
    """Dragging across the graph zooms to the dragged span: a shorter range, an end time,
    both in the URL, and the graph drawn again."""
    b.open(q(g0_expr=DEMO, g0_tab="graph", g0_range_input="1h"))
    colour = first_series_colour(b)
    wait_drawn(b, colour)
    over = b.wait_for(".graph-canvas .u-over")
    width = over.size["width"]
    ActionChains(b.d).move_to_element_with_offset(over, -width // 4, 0).click_and_hold().move_by_offset(
        width // 2, 0
    ).release().perform()
    b.wait("the range to change", lambda d: b.wait_for("input.range").get_attribute("value") != "1h")
    got = b.wait_for("input.range").get_attribute("value")
    assert re.fullmatch(r"(\d+m)?(\d+s)?", got) and got, f"the range after zooming is {got!r}"
    end = b.wait_for("input.time").get_attribute("value")
    assert end, "zooming set no end time"
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(b.d.current_url).query)
    assert params.get("g0.range_input") == [got], f"the URL is {b.d.current_url}"
    assert params.get("g0.end_input") == [end], f"the URL is {b.d.current_url}"
    wait_drawn(b, colour)


@check
def log_query_shows_its_lines(b):
    """A stream selector is taken for LogQL and its lines are listed, newest first, with
    their time and stream."""
    b.open(q(g0_expr='{app="web"}', g0_tab="table"))
    rows = wait_rows(b, "the log lines")
    lang = b.wait_for("select.lang")
    assert lang.get_attribute("value") == "logql", f"the language is {lang.get_attribute('value')!r}"
    assert any("level=error" in r.text for r in rows), "no error line: " + " | ".join(r.text for r in rows)
    assert all('{app="web"}' in r.text for r in rows), "a line without its stream"
    times = [r.find_element("css selector", "td.time").text for r in rows]
    assert times == sorted(times, reverse=True), f"the lines are not newest first: {times}"


@check
def status_line_counts_what_the_table_shows(b):
    """The status line's count is the number of rows shown: one for a scalar, one per line of
    a log query."""
    wrong = []
    for expr in ("1+1", '{app="web"}'):
        b.open(q(g0_expr=expr, g0_tab="table"))
        rows = wait_rows(b, f"the rows of {expr}")
        status = b.wait_for(".status-line").text
        want = f"{len(rows)} result{'' if len(rows) == 1 else 's'} "
        if not status.startswith(want):
            wrong.append(f"{expr} shows {len(rows)} row(s) but the status says {status!r}")
    assert not wrong, "; ".join(wrong)


@check
def graph_follows_a_theme_switch(b):
    """Switching the theme with the graph open draws its axes and grid in the new theme."""
    b.open(q(g0_expr=DEMO, g0_tab="graph", g0_range_input="1h"))
    wait_drawn(b, first_series_colour(b))
    grid = "return getComputedStyle(document.documentElement).getPropertyValue('--grid').trim()"
    light = hex_rgb(b.js(grid))
    b.wait_for("nav button.theme").click()
    b.wait("the dark theme", lambda d: b.js("return document.documentElement.dataset.theme") == "dark")
    dark = hex_rgb(b.js(grid))
    canvas = graph_canvas(b)
    seen = {}

    def redrawn(_):
        seen["light"] = b.canvas_pixels(canvas, light, 3)[0]
        seen["dark"] = b.canvas_pixels(canvas, dark, 3)[0]
        return seen["light"] == 0 and seen["dark"] > 0

    try:
        b.wait("the grid in the dark theme's colour", redrawn)
    except Failure as e:
        raise Failure(
            f"{e}: {seen.get('light')} pixels of the light grid rgb{light}, "
            f"{seen.get('dark')} of the dark one rgb{dark}"
        ) from None


@check
def every_page_loads_without_console_errors_in_both_themes(b):
    """Each page of the navigation draws its content, in light and dark, with no console
    error."""
    pages = {
        "/logs": ".log-row, .notice",
        "/metrics-explorer": "table.explorer",
        "/alerts": "main h1, main h2, .notice",
        "/rules": "main h1, main h2, .notice",
        "/targets": "main h1, main h2",
        "/status": "table",
        "/tsdb-status": "table.kv",
        "/flags": "table",
        "/config": "pre, .notice",
        "/dashboards": "table.dashboards",
        NODE_EXPORTER_FULL: ".dash-panel",
    }
    for theme in ("light", "dark"):
        b.set_theme(theme)
        for path, ready in pages.items():
            b.open(path, ready=ready)
            b.wait(
                f"{path} in the {theme} theme",
                lambda d: b.js("return document.documentElement.dataset.theme") == theme,
            )
            b.assert_no_console_errors(f"{path} ({theme})")


@check
def log_view_colours_levels_and_filter_for_rewrites_the_query(b):
    """The log view lists the ingested lines with Grafana's level colours; "filter for" on a
    row's stream label puts a matcher in the selector, on a parsed field a label filter."""
    b.open("/logs?expr=" + urllib.parse.quote('{app="web"}') + "&range=1h", ready=".log-row")
    rows = b.d.find_elements("css selector", ".log-row")
    assert len(rows) == 6, f"{len(rows)} rows"
    colours = {}
    for r in rows:
        level = next(c for c in r.get_attribute("class").split() if c.startswith("level-"))
        colours[level] = b.css_colour(r, "border-left-color")
    assert colours.get("level-error") == (224, 47, 68), f"error rows are {colours.get('level-error')}"
    assert colours.get("level-warning") == (255, 153, 0), f"warning rows are {colours.get('level-warning')}"
    assert colours.get("level-info") == (126, 178, 109), f"info rows are {colours.get('level-info')}"
    # The volume has bars in the error colour.
    b.wait("the volume chart", lambda d: b.find(".volume canvas"))
    error_row = next(r for r in rows if "level-error" in r.get_attribute("class"))
    error_row.click()
    details = b.wait_for(".log-details")
    field = next(
        tr for tr in details.find_elements("css selector", "tr")
        if [td.text for td in tr.find_elements("css selector", "td")][1:2] == ["upstream"]
    )
    field.find_element("css selector", "button").click()
    b.wait(
        "the query to gain the field's filter",
        lambda d: "upstream" in urllib.parse.unquote_plus(d.current_url),
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(b.d.current_url).query)["expr"][0]
    assert query == '{app="web"} | logfmt | upstream="payments"', f"the query became {query!r}"
    b.wait("one line left", lambda d: len(d.find_elements("css selector", ".log-row")) == 1)
    b.d.find_element("css selector", ".log-row").click()
    stream = b.wait_for(".log-details")
    app = next(
        tr for tr in stream.find_elements("css selector", "tr")
        if [td.text for td in tr.find_elements("css selector", "td")][1:2] == ["app"]
    )
    app.find_elements("css selector", "button")[1].click()
    b.wait(
        "the selector to gain app!=",
        lambda d: 'app!="web"' in urllib.parse.unquote_plus(d.current_url),
    )


@check
def row_details_tell_structured_metadata_from_parsed_labels(b):
    """A line pushed with structured metadata: its details list the stream's labels, the
    structured metadata and the labels the query parsed under their own headings (the page
    asks for Loki's categorized labels), and "filter for" on the metadata adds a label filter."""
    line = 'level=warn msg="card declined" order=991'
    body = json.dumps({"streams": [{"stream": {"app": "shop"}, "values": [
        [str(time.time_ns()), line, {"trace_id": "4bf92f3577b34da6"}]]}]})
    req = urllib.request.Request(
        b.url("/loki/api/v1/push"), data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 204, f"the push answered {resp.status}"
    b.open("/logs?expr=" + urllib.parse.quote('{app="shop"} | logfmt') + "&range=1h", ready=".log-row")
    b.wait_for(".log-row").click()
    details = b.wait_for(".log-details")
    sections, current = {}, None
    for tr in details.find_elements("css selector", "tr"):
        heads = tr.find_elements("css selector", "th")
        if heads:
            current = heads[0].text
            sections[current] = []
        else:
            sections[current].append(tr.find_elements("css selector", "td")[1].text)
    want = {
        "Stream labels": ["app"],
        "Structured metadata": ["trace_id"],
        "Parsed labels": ["level", "msg", "order"],
    }
    assert sections == want, f"the details' sections are {sections}"
    trace = next(
        tr for tr in details.find_elements("css selector", "tr")
        if [td.text for td in tr.find_elements("css selector", "td")][1:2] == ["trace_id"]
    )
    trace.find_element("css selector", "button").click()
    b.wait(
        "the query to gain the metadata's filter",
        lambda d: "trace_id" in urllib.parse.unquote_plus(d.current_url),
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(b.d.current_url).query)["expr"][0]
    assert query == '{app="shop"} | logfmt | trace_id="4bf92f3577b34da6"', f"the query became {query!r}"
    b.wait("the line still shown", lambda d: len(d.find_elements("css selector", ".log-row")) == 1)


@check
def node_exporter_full_draws_every_panel_it_has_data_for(b):
    """Grafana's Node Exporter Full over this machine's node exporter: every panel drawn,
    none with an error, at least as many with data as in the last run."""
    panels = open_every_panel(b, NODE_EXPORTER_FULL)
    print(f"    {len(panels['data'])} panels with data, {len(panels['no data'])} without: {panels['no data']}")
    assert not panels["error"], f"panels with errors: {panels['error']}"
    total = sum(len(v) for v in panels.values())
    assert total == 125, f"{total} panels drawn, not 125"
    assert len(panels["data"]) >= NODE_EXPORTER_FULL_PANELS_WITH_DATA, (
        f"only {len(panels['data'])} panels with data (the last run had {NODE_EXPORTER_FULL_PANELS_WITH_DATA})"
    )
    b.assert_no_console_errors("Node Exporter Full")


@check
def live_tail_shows_a_line_pushed_during_the_test(b):
    """Live tail over the WebSocket shows a line pushed to Loki's push API while it runs."""
    b.open("/logs?expr=" + urllib.parse.quote('{app="tail"}') + "&range=5m", ready=".panel.logs")
    live = next(x for x in b.d.find_elements("css selector", ".panel-actions button") if x.text == "Live")
    live.click()
    b.wait("the tail to start", lambda d: "Live" in b.wait_for(".status-line").text)
    line = f"level=error msg=\"pushed during the test\" n={time.time_ns()}"
    body = json.dumps({"streams": [{"stream": {"app": "tail"}, "values": [[str(time.time_ns()), line]]}]})
    req = urllib.request.Request(
        b.url("/loki/api/v1/push"), data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 204, f"the push answered {resp.status}"
    b.wait(
        "the pushed line in the live view",
        lambda d: any(line in r.text for r in d.find_elements("css selector", ".log-row")),
    )
    stop = next(x for x in b.d.find_elements("css selector", ".panel-actions button") if x.text == "Stop")
    stop.click()


@check
def targets_show_one_up_and_one_down(b):
    """The Targets page shows the scraped node exporter up and the unreachable target down,
    with its error."""
    b.open("/targets", ready="main h1, main h2")
    b.wait(
        "an UP and a DOWN target",
        lambda d: "UP" in d.find_element("css selector", "main").text
        and "DOWN" in d.find_element("css selector", "main").text,
    )
    text = b.d.find_element("css selector", "main").text
    assert "node" in text and "down" in text, f"the pools are missing: {text[:500]}"


def hex_rgb(value):
    v = value.strip().lstrip("#")
    return tuple(int(v[i : i + 2], 16) for i in (0, 2, 4))


# --- views for screenshots -------------------------------------------------------------------


@view("query-table")
def query_table_view(b):
    b.open(q(g0_expr='demo_requests_total{job="web"}', g0_tab="table"))
    wait_rows(b)


@view("query-graph")
def query_graph_view(b):
    b.open(q(g0_expr=DEMO, g0_tab="graph", g0_range_input="1h"))
    wait_drawn(b, first_series_colour(b))


@view("logs")
def logs_view(b):
    b.open("/logs?expr=" + urllib.parse.quote('{app="web"}') + "&range=1h", ready=".log-row")
    b.wait("the volume chart", lambda d: b.find(".volume canvas"))


@view("metrics")
def metrics_view(b):
    b.open("/metrics-explorer", ready="table.explorer")


@view("alerts")
def alerts_view(b):
    b.open("/alerts", ready="main h1, main h2, .notice")


@view("targets")
def targets_view(b):
    b.open("/targets", ready="main h1, main h2")
    b.wait("an UP and a DOWN target", lambda d: "DOWN" in d.find_element("css selector", "main").text)


@view("cardinality")
def cardinality_view(b):
    b.open("/tsdb-status", ready="table.kv")


@view("dashboards")
def dashboards_view(b):
    b.open("/dashboards", ready="table.dashboards")


@view("node-exporter-full")
def node_exporter_full_view(b):
    b.open(NODE_EXPORTER_FULL, ready=".dash-panel")
    b.wait("the first row's panels", lambda d: len(d.find_elements("css selector", ".dash-panel canvas")) >= 4)
    time.sleep(0.5)


@view("status")
def status_view(b):
    b.open("/status", ready="table")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="the base URL of a running argus serve")
    p.add_argument("--screenshots", metavar="DIR", help="save every view in both themes here")
    p.add_argument("--only", metavar="NAME", action="append", help="run only this check (repeatable)")
    p.add_argument("--list", action="store_true", help="list the checks and views")
    args = p.parse_args()
    if args.list:
        for fn in CHECKS:
            print(fn.__name__)
        for name, _ in VIEWS:
            print(f"view {name}")
        return 0
    checks = CHECKS
    if args.only:
        unknown = [n for n in args.only if n not in {fn.__name__ for fn in CHECKS}]
        if unknown:
            print("unknown check: " + ", ".join(unknown), file=sys.stderr)
            return 2
        checks = [fn for fn in CHECKS if fn.__name__ in args.only]

    def out(line):
        print(line, flush=True)

    b = Browser(args.url)
    try:
        failed, bugs = run_checks(b, checks, out)
        if args.screenshots:
            failed += take_screenshots(b, VIEWS, args.screenshots, out)
    finally:
        b.d.quit()
    total = len(checks) + (len(VIEWS) * len(THEMES) if args.screenshots else 0)
    out(f"{total - len(failed) - len(bugs)} passed, {len(failed)} failed, {len(bugs)} known bugs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
