"""Measurements of a web UI in the browser of the UI tests (harness.py), for
`scripts/bench-ui`: what the first load of a page transfers, and how long a page takes from
navigation to a drawn chart. Works on any UI that draws its charts on a 2D canvas (argus'
uPlot) or as SVG paths (Prometheus 2's classic UI, Rickshaw).
"""

import json
import statistics

from harness import PATIENCE, Failure, new_driver
from selenium.webdriver.support.ui import WebDriverWait

# Installed before any script of each page: on every animation frame, whether the chart is
# drawn (a canvas matching CHART with pixels on it, or SVG paths matching it with a shape);
# the time of the first frame where it is, as performance.now() (milliseconds since the
# navigation started).
DRAWN_PROBE = """
(() => {
  const CHART = %s;
  window.__chartDrawnAt = null;
  const drawn = () => {
    for (const e of document.querySelectorAll(CHART)) {
      if (!e.isConnected) continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (e instanceof SVGPathElement) {
        if ((e.getAttribute('d') || '').length > 100) return true;
        continue;
      }
      if (!(e instanceof HTMLCanvasElement) || !e.width || !e.height) continue;
      const g = e.getContext('2d');
      if (!g) continue;
      const d = g.getImageData(0, 0, e.width, e.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0 && ++n > 1000) return true;
    }
    return false;
  };
  const frame = () => {
    if (document.querySelector(CHART) && drawn()) {
      window.__chartDrawnAt = performance.now();
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""

RESOURCES = """
const nav = performance.getEntriesByType('navigation')[0];
const row = (e, kind) => ({
  name: e.name, kind, transfer: e.transferSize, encoded: e.encodedBodySize,
  decoded: e.decodedBodySize, start: e.startTime, end: e.responseEnd,
});
return [row(nav, 'document')].concat(performance.getEntriesByType('resource').map((e) =>
  row(e, ['fetch', 'xmlhttprequest'].includes(e.initiatorType) ? 'api' : e.initiatorType)));
"""


def _wait(d, what, cond):
    try:
        return WebDriverWait(d, PATIENCE, poll_frequency=0.02).until(lambda d: cond(d))
    except Exception:
        raise Failure(f"gave up waiting for {what}") from None


def _settled(d, quiet_polls=10):
    """Waits until the page has loaded and asked for nothing new for `quiet_polls` polls of
    0.1 s (its first requests to the API included)."""
    state = {"n": -1, "quiet": 0}

    def quiet(d):
        if d.execute_script("return document.readyState") != "complete":
            return False
        n = d.execute_script("return performance.getEntriesByType('resource').length")
        state["quiet"] = state["quiet"] + 1 if n == state["n"] else 0
        state["n"] = n
        return state["quiet"] >= quiet_polls

    WebDriverWait(d, PATIENCE, poll_frequency=0.1).until(quiet)


def first_load(url, ready_css):
    """The bytes a first visit to `url` transfers (empty cache): per kind (document, script,
    link/css, api...), transfer (compressed, with headers) and decoded body bytes."""
    d = new_driver()
    try:
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        d.get(url)
        _wait(d, ready_css, lambda d: d.execute_script(f"return !!document.querySelector({ready_css!r})"))
        _settled(d)
        return d.execute_script(RESOURCES)
    finally:
        d.quit()


def time_to_chart(url, chart_css, runs, warm):
    """Milliseconds from navigation to the first frame with a drawn chart (`chart_css`: its
    canvas, or its SVG paths), `runs` times: each
    in a new browser (cold: nothing cached), or reloads in one browser after a first visit
    (warm: the UI's assets cached). Also when the chart's data had arrived (the last API
    response before the chart was drawn), and the bytes the page transferred. A list of dicts."""
    out = []
    d = None
    try:
        for i in range(runs + (1 if warm else 0)):
            if d is None or not warm:
                if d is not None:
                    d.quit()
                d = new_driver()
                d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DRAWN_PROBE % json.dumps(chart_css)})
            d.get(url)
            at = _wait(d, "a drawn chart", lambda d: d.execute_script("return window.__chartDrawnAt"))
            res = d.execute_script(RESOURCES)
            if warm and i == 0:
                continue  # the visit that fills the cache
            api = [r for r in res if r["kind"] == "api" and r["end"] <= at]
            out.append(
                {
                    "drawn_ms": at,
                    "data_ms": max((r["end"] for r in api), default=None),
                    "transfer": sum(r["transfer"] for r in res),
                    "api_transfer": sum(r["transfer"] for r in api),
                    "api_decoded": sum(r["decoded"] for r in api),
                }
            )
    finally:
        if d is not None:
            d.quit()
    return out


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# Installed before the page's scripts: the time of the first animation frame in which the
# log view has its `want` lines and shows rows of them (it draws only the rows near the
# screen), as performance.now().
ROWS_PROBE = """
(() => {
  const want = %d;
  window.__rowsAt = null;
  const frame = () => {
    const status = document.querySelector('.status-line');
    if (status && status.textContent.startsWith(want + ' lines') && document.querySelector('.log-row')) {
      window.__rowsAt = performance.now();
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""

# Scrolls the page from top to bottom, `step` pixels per animation frame, and resolves with
# the frame intervals seen (ms).
SCROLL = """
const [step, done] = [arguments[0], arguments[arguments.length - 1]];
window.scrollTo(0, 0);
const gaps = [];
let last = null;
const frame = (t) => {
  if (last !== null) gaps.push(t - last);
  last = t;
  const max = document.documentElement.scrollHeight - innerHeight;
  if (window.scrollY >= max - 1) return done(gaps);
  window.scrollBy(0, step);
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
"""


def log_lines(url, rows, runs):
    """The log view with `rows` lines: milliseconds from navigation to the frame that holds
    them all (median of `runs` reloads with the assets cached), and a scroll through them
    from top to bottom at 40 px a frame: frames per second and the longest frame."""
    d = new_driver()
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ROWS_PROBE % rows})
        shown = []
        for i in range(runs + 1):
            d.get(url)
            at = _wait(d, f"{rows} log rows", lambda d: d.execute_script("return window.__rowsAt"))
            if i > 0:  # the first visit fills the cache
                shown.append(at)
        d.set_script_timeout(600)
        gaps = d.execute_async_script(SCROLL, 40)
        total = sum(gaps)
        return {
            "shown_ms": median(shown),
            "fps": len(gaps) / total * 1000 if total else None,
            "longest_frame_ms": max(gaps) if gaps else None,
            "frames": len(gaps),
        }
    finally:
        d.quit()
