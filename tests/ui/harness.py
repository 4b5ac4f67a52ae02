"""The browser side of argus' UI tests: Debian's chromium, headless, driven by selenium.

A check is a function of one argument, a `Browser`, registered with `@check`; it fails by
raising (an `assert` or `Failure`, whose message is the reason printed). A view is a function
registered with `@view("name")` that brings the browser to a state worth a screenshot; the
screenshot pass shoots every view in every theme as `<name>-<theme>.png`.

Every check starts from a clean origin (no local storage), in the light theme at 1280x720, and
fails when the browser's console shows an error that the check did not declare expected
(`b.allow_console(...)`). Waits poll for a condition (`b.wait`), never sleep a fixed time.
"""

import re
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"

# How long a wait may poll before the check fails: generous, for a loaded CI machine. It
# stops waiting; it is no assertion on how fast the UI is.
PATIENCE = 30

DESKTOP = (1280, 720)
PHONE = (390, 844)
THEMES = ("light", "dark")

CHECKS = []
VIEWS = []


class Failure(Exception):
    """A check's failure, with the reason to print."""


def check(fn=None, *, known_bug=None):
    """Registers a check; its name is the function's. `@check(known_bug="...")` marks a
    check that fails for a bug of the UI not fixed yet: its failure is printed (`bug`) but
    does not fail the run, and once it passes the run says the marker can go."""

    def register(f):
        f.known_bug = known_bug
        CHECKS.append(f)
        return f

    return register(fn) if fn is not None else register


def view(name):
    """Registers a view for screenshots, named `name` (files `<name>-<theme>.png`)."""

    def register(fn):
        VIEWS.append((name, fn))
        return fn

    return register


def new_driver():
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--font-render-hinting=none",
        "--lang=en-US",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


class Browser:
    """One chromium for the whole run, reset between checks."""

    def __init__(self, base, driver=None):
        self.base = base.rstrip("/")
        self.d = driver or new_driver()
        self.theme = "light"
        self.size = DESKTOP
        self._theme_script = None
        self._allowed = []
        self.console = []

    # --- state between checks -------------------------------------------------------------

    def reset(self):
        """A clean start: nothing stored for the origin, light theme, desktop size."""
        self.d.get("about:blank")
        self.d.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": self.base, "storageTypes": "local_storage"}
        )
        self.drain_console()
        self._allowed = []
        self.set_theme("light")
        self.set_size(*DESKTOP)

    def set_theme(self, theme):
        """The theme the next pages load with (as a user's choice in local storage)."""
        if self._theme_script is not None:
            self.d.execute_cdp_cmd(
                "Page.removeScriptToEvaluateOnNewDocument", {"identifier": self._theme_script}
            )
        src = f"try {{ localStorage.setItem('argus.theme', {theme!r}); }} catch (e) {{}}"
        r = self.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": src})
        self._theme_script = r["identifier"]
        self.theme = theme

    def set_size(self, width, height):
        """The viewport in CSS pixels; narrow ones are emulated as a phone (touch, mobile)."""
        mobile = width < 600
        self.d.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        self.d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
        self.size = (width, height)

    # --- the console ----------------------------------------------------------------------

    def allow_console(self, pattern):
        """Console errors matching `pattern` (a regex) are expected in this check."""
        self._allowed.append(re.compile(pattern))

    def drain_console(self):
        """The console entries since the last call (and keeps them for the report)."""
        entries = self.d.get_log("browser")
        self.console.extend(entries)
        return entries

    def console_errors(self):
        """Errors (SEVERE) logged since the last call that are not allowed."""
        return [
            e["message"]
            for e in self.drain_console()
            if e["level"] == "SEVERE" and not any(p.search(e["message"]) for p in self._allowed)
        ]

    def assert_no_console_errors(self, where=""):
        errors = self.console_errors()
        if errors:
            raise Failure(f"console error{' ' + where if where else ''}: " + " | ".join(errors))

    # --- navigation and waiting -----------------------------------------------------------

    def url(self, path):
        return self.base + path

    def open(self, path, ready=".cm-content"):
        """Loads `path` and waits until `ready` (a CSS selector) is shown."""
        self.d.get(self.url(path))
        if ready:
            self.wait_for(ready)

    def wait(self, what, cond, timeout=PATIENCE):
        """Polls `cond(driver)` until truthy and returns its value; fails naming `what`."""
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.05).until(
                lambda d: cond(d)
            )
        except TimeoutException:
            raise Failure(f"gave up waiting for {what}") from None

    def wait_for(self, css, visible=True):
        """The first element matching `css`, once there (and shown)."""

        def find(d):
            for e in d.find_elements(By.CSS_SELECTOR, css):
                if not visible or e.is_displayed():
                    return e
            return None

        return self.wait(f"{css}{' to show' if visible else ''}", find)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def find(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    # --- input ----------------------------------------------------------------------------

    def keys(self, *keys):
        """Key presses to whatever has the focus."""
        ActionChains(self.d).send_keys(*keys).perform()

    def shift_tab(self):
        ActionChains(self.d).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()

    def type_in_editor(self, text, index=0):
        """Clicks into the `index`th query editor and types `text` at its end."""
        content = self.wait(
            "a query editor",
            lambda d: (lambda es: es[index] if len(es) > index else None)(
                d.find_elements(By.CSS_SELECTOR, ".cm-content")
            ),
        )
        content.click()
        self.keys(Keys.END)
        self.keys(text)

    def editor_text(self, index=0):
        """The text of the `index`th editor (its lines joined with newlines; not the
        placeholder an empty editor shows)."""
        return self.js(
            """
            const c = document.querySelectorAll('.cm-content')[arguments[0]];
            if (!c) return null;
            return [...c.querySelectorAll('.cm-line')].map((l) => {
              const copy = l.cloneNode(true);
              copy.querySelectorAll('.cm-placeholder, .cm-widgetBuffer').forEach((w) => w.remove());
              return copy.textContent;
            }).join('\\n');
            """,
            index,
        )

    def active(self):
        """A short description of the focused element (tag.class, aria-label, text)."""
        return self.js(
            "const e = document.activeElement; if (!e) return '';"
            "return e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')"
            " + (e.getAttribute('aria-label') ? ' [' + e.getAttribute('aria-label') + ']' : '')"
            " + (e.textContent && e.children.length === 0 ? ' \"' + e.textContent.trim().slice(0, 30) + '\"' : '');"
        )

    # --- pictures -------------------------------------------------------------------------

    def canvas_pixels(self, canvas, rgb, tolerance=24):
        """How many pixels of `canvas` have the colour `rgb` (each channel within
        `tolerance`, at least half opaque), and how many are drawn at all (not transparent)."""
        return self.js(
            """
            const [c, rgb, tol] = arguments;
            const g = c.getContext('2d');
            const { data } = g.getImageData(0, 0, c.width, c.height);
            let match = 0, drawn = 0;
            for (let i = 0; i < data.length; i += 4) {
              if (data[i + 3] === 0) continue;
              drawn++;
              if (data[i + 3] >= 128 && Math.abs(data[i] - rgb[0]) <= tol &&
                  Math.abs(data[i + 1] - rgb[1]) <= tol && Math.abs(data[i + 2] - rgb[2]) <= tol) match++;
            }
            return [match, drawn];
            """,
            canvas,
            list(rgb),
            tolerance,
        )

    def css_colour(self, element, prop):
        """A computed colour of `element` as (r, g, b)."""
        value = self.js("return getComputedStyle(arguments[0])[arguments[1]];", element, prop)
        m = re.match(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", value or "")
        if not m:
            raise Failure(f"{prop} is not an rgb colour: {value!r}")
        return tuple(int(x) for x in m.groups())

    def screenshot(self, path):
        """A PNG of the whole page (the viewport grown to the page's height)."""
        width, height = self.size
        full = self.js(
            "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);"
        )
        self.set_size(width, max(height, int(full)))
        try:
            self.d.save_screenshot(path)
        finally:
            self.set_size(width, height)


def run_checks(browser, checks, out):
    """Runs `checks`, printing one line each; returns the names that failed and those that
    failed for a known bug."""
    failed, bugs = [], []
    for fn in checks:
        name = fn.__name__
        known = getattr(fn, "known_bug", None)
        began = time.monotonic()
        try:
            browser.reset()
            fn(browser)
            browser.assert_no_console_errors()
            fixed = f" (known bug fixed? remove its marker: {known})" if known else ""
            out(f"ok   {name} ({time.monotonic() - began:.1f} s){fixed}")
        except (Failure, AssertionError) as e:
            if known:
                bugs.append(name)
                out(f"bug  {name}: {e or 'assertion failed'} (known: {known})")
                continue
            failed.append(name)
            out(f"FAIL {name}: {e or 'assertion failed'}")
            tb = traceback.extract_tb(e.__traceback__)
            here = [f for f in tb if f.filename.endswith(".py") and "/selenium/" not in f.filename]
            if here:
                out(f"     at {here[-1].filename.rsplit('/', 1)[-1]}:{here[-1].lineno}: {here[-1].line}")
        except WebDriverException as e:
            failed.append(name)
            out(f"FAIL {name}: webdriver: {e.msg or e}".rstrip())
        except Exception as e:  # a bug in the check itself: still one line, and the rest run
            failed.append(name)
            out(f"FAIL {name}: {type(e).__name__}: {e}")
            out("".join(traceback.format_exc()).rstrip())
    return failed, bugs


def take_screenshots(browser, views, directory, out):
    """Every view in every theme as `<directory>/<name>-<theme>.png`; returns failures."""
    import os

    os.makedirs(directory, exist_ok=True)
    failed = []
    for name, fn in views:
        for theme in THEMES:
            label = f"screenshot {name}-{theme}"
            try:
                browser.reset()
                browser.set_theme(theme)
                fn(browser)
                browser.assert_no_console_errors()
                # No focus: a blinking caret would make every shot differ.
                browser.js("document.activeElement && document.activeElement.blur()")
                path = os.path.join(directory, f"{name}-{theme}.png")
                browser.screenshot(path)
                out(f"ok   {label} -> {path}")
            except (Failure, AssertionError, WebDriverException) as e:
                failed.append(label)
                out(f"FAIL {label}: {e}")
    return failed


def open_every_panel(b, path):
    """Opens a dashboard, expands its collapsed rows, and scrolls through it so that every
    panel asks for its data; waits until none is loading. The panels by state: a dict of
    title lists under "data", "no data" and "error"."""
    b.open(path, ready=".dash-panel")
    for row in b.find('.dash-row[aria-expanded="false"]'):
        b.d.execute_script("arguments[0].click()", row)
    height = b.js("return document.documentElement.scrollHeight")
    for y in range(0, height + 800, 600):
        b.js(f"window.scrollTo(0, {y})")
        time.sleep(0.05)
    b.wait(
        "every panel to load",
        lambda d: not any(s.text for s in d.find_elements("css selector", ".dash-panel .panel-status")),
    )
    return b.js("""
        const out = {data: [], 'no data': [], error: []};
        for (const p of document.querySelectorAll('.dash-panel')) {
          const title = p.querySelector('.panel-title').textContent;
          if (p.querySelector('.panel-content .notice.error')) out.error.push(title + ': ' + p.querySelector('.notice').textContent);
          else if (p.querySelector('.no-data')) out['no data'].push(title);
          else if (p.querySelector('canvas, .big-value, svg.gauge, .bar-row, .text-panel, table')) out.data.push(title);
          else out['no data'].push(title + ' (empty)');
        }
        return out;
    """)
