"""Real-browser tests: Debian's Chromium driven by Playwright against the app served live.

The package makes the shared helpers importable as ``browser.pages``; the fixtures live in
``conftest.py`` beside it.
"""
