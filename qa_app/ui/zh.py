"""Streamlit's own chrome in Chinese, and trimmed for citizens and intranet pages.

What Streamlit lets us set is set where it is made (page title and icon, the chat box's
placeholder, every widget's label). The rest, Streamlit's fixed English words ("Running...",
"Stop", the ⋮ menu's "Print" and its aria-labels), is swapped for Chinese in the browser by
qa_app/static/streamlit_zh.js; the menu entries that mean nothing to a citizen ("Record screen",
"Made with Streamlit") are hidden, and in embed mode (`?embed=true`, an iframe in an intranet
page) the ⋮ menu is hidden altogether. No file is fetched from anywhere: the script is inlined.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"
ICON = STATIC / "icon.png"  # the page icon, served by the app itself (no icon font from a CDN)

MENU_CSS = (
    '[data-testid="stMainMenuItem-recordScreencast"]{display:none!important}'
    '[data-testid="stMainMenuPopover"] .stMenuVersionCopyButton{display:none!important}'
    '[data-testid="stMainMenuPopover"] [data-testid="stMainMenuList"] ~ div{display:none!important}'
)
EMBED_CSS = '[data-testid="stMainMenu"]{display:none!important}'


@lru_cache(maxsize=1)
def script() -> str:
    return (STATIC / "streamlit_zh.js").read_text(encoding="utf-8")


def chrome_html(embedded: bool) -> str:
    """The style sheet and script that put Streamlit's chrome in Chinese (for st.html)."""
    css = MENU_CSS + (EMBED_CSS if embedded else "")
    return f"<style>{css}</style><script>{script()}</script>"


def install(embedded: bool) -> None:
    import streamlit as st
    st.html(chrome_html(embedded), unsafe_allow_javascript=True)
