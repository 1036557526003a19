"""Size of a report.html and how long headless Chromium takes to open it.

    python -m bench.report_html OUT/report.html [--runs 5]

Opens the file `--runs` times in one browser (a fresh page each time) and prints, per
open and as medians: time to the `load` event (BokehJS and the row script parsed and
run, the browser's first rows drawn) and to every chart drawn (a canvas in each
`.chart`), as seen from Python; plus console errors, if any.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHARTS_DRAWN = """() => {
  const has = (n) => n.querySelector('canvas') !== null ||
    Array.from(n.querySelectorAll('*')).some((e) => e.shadowRoot && has(e.shadowRoot));
  const charts = Array.from(document.querySelectorAll('.chart'));
  return charts.length > 0 && charts.every(has);
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    size = args.path.stat().st_size
    loads, drawn = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m, e=errors: m.type == "error" and e.append(m.text))
            page.on("pageerror", lambda x, e=errors: e.append(str(x)))
            start = time.monotonic()
            page.goto(args.path.resolve().as_uri(), wait_until="load")
            loads.append(time.monotonic() - start)
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            drawn.append(time.monotonic() - start)
            rows = page.locator("#row-count").text_content()
            print(
                f"load {loads[-1]:.3f} s, charts drawn {drawn[-1]:.3f} s, {rows}, errors {errors}"
            )
            page.close()
        browser.close()
    print(
        f"{args.path}: {size / 1e6:.2f} MB; median of {args.runs}: load "
        f"{statistics.median(loads):.3f} s, all charts drawn {statistics.median(drawn):.3f} s"
    )


if __name__ == "__main__":
    main()
