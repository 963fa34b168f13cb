"""A Chromium page that may load the report file and nothing else: what it tried to fetch is kept."""

from __future__ import annotations

from typing import Any


def offline_page(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    """(context, page, blocked): every request but the report's own URL is aborted and listed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return context, page, blocked
