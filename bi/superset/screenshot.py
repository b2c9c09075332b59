"""Log in to a running Superset (make superset) and save a screenshot of the dashboard.

    .venv/bin/python bi/superset/screenshot.py OUT.png [--url http://127.0.0.1:8088]

Runs with the project's Python (headless Chromium through devtools/browser.py); the login is
Superset's own form, posted with the admin password from .superset/admin_password.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from devtools.browser import browser, open_page  # noqa: E402

READY = (
    "document.querySelectorAll('.dashboard-component-chart-holder').length >= 4"
    " && document.querySelectorAll('.dashboard-component-chart-holder canvas,"
    " .dashboard-component-chart-holder svg, .dashboard-component-chart-holder table,"
    " .dashboard-component-chart-holder .header-line').length >= 4"
    " && !document.querySelector('.dashboard-component-chart-holder .loading')"
)


def login(base: str, password: str) -> http.cookiejar.CookieJar:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no csrf_token on Superset's login page")
    form = {"username": "admin", "password": password, "csrf_token": token.group(1)}
    opener.open(f"{base}/login/", urllib.parse.urlencode(form).encode(), timeout=60).read()
    me = opener.open(f"{base}/api/v1/me/", timeout=60)
    if me.status != 200:
        raise RuntimeError(f"login failed: /api/v1/me/ answered {me.status}")
    return jar


def _dashboard_url(base: str, person: str | None) -> str:
    """The dashboard, with its Participant filter set (Superset's rison URL state) if asked."""
    url = f"{base}/superset/dashboard/summitry/"
    if not person:
        return url
    name = person.replace("!", "!!").replace("'", "!'")
    state = (
        "(NATIVE_FILTER-person:(id:NATIVE_FILTER-person,"
        f"extraFormData:(filters:!((col:person,op:IN,val:!('{name}')))),"
        f"filterState:(label:'{name}',value:!('{name}')),ownState:()))"
    )
    return f"{url}?native_filters={urllib.parse.quote(state)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--person", help="set the dashboard's Participant filter to this name")
    parser.add_argument("--password-file", type=Path, default=REPO / ".superset/admin_password")
    args = parser.parse_args()
    jar = login(args.url, args.password_file.read_text(encoding="utf-8").strip())
    host = urllib.parse.urlparse(args.url).hostname
    with browser(width=1400, height=1000) as page:
        for cookie in jar:
            value = cookie.value or ""
            page.call("Network.setCookie", name=cookie.name, value=value, domain=host, path="/")
        result = open_page(page, _dashboard_url(args.url, args.person), ready=READY, timeout_s=120)
        time.sleep(3)  # chart animations
        page.screenshot(args.output, 1400, max_height=1400)
    print(f"ready in {result.ready_s} s; errors: {result.errors or 'none'}; saved {args.output}")
    return 0 if result.ready_s is not None else 1


if __name__ == "__main__":
    sys.exit(main())
