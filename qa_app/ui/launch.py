"""`qa-app chat`: start the Streamlit app on qa_app/chat_app.py.

The index goes to the app through QA_APP_INDEX (made absolute); the server binds 127.0.0.1 by
default, runs headless and sends no usage statistics. The process is replaced by `streamlit run`
(os.execve), so Ctrl-C and service managers stop the server itself.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from ..settings import Settings

APP = Path(__file__).resolve().parents[1] / "chat_app.py"
PROJECT = APP.parents[1]  # holds .streamlit/config.toml when run from a checkout


def streamlit_argv(port: int = 8501, address: str = "127.0.0.1", max_upload_mb: float = 50.0) -> list[str]:
    """The `streamlit run` command line. The options that matter for safety and for running as a
    service are given here, so they hold whatever the working directory's config says; the
    upload limit is the indexer's (settings.max_file_mb)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.port", str(port), "--server.address", address,
            "--server.maxUploadSize", str(max(1, math.ceil(max_upload_mb))),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.showErrorDetails", "none",
            "--client.toolbarMode", "viewer"]


def streamlit_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["QA_APP_INDEX"] = str(Path(settings.index).resolve())
    return env


def run_chat(settings: Settings, port: int = 8501, address: str = "127.0.0.1") -> None:
    """Replace this process with the Streamlit server (after the start-up checks of the settings:
    a problem stops here with a Chinese message, before anything listens)."""
    import click
    from ..settings import SettingsError
    try:
        settings.check()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    argv = streamlit_argv(port, address, settings.max_file_mb)
    env = streamlit_env(settings)
    if (PROJECT / ".streamlit" / "config.toml").exists():
        os.chdir(PROJECT)  # Streamlit reads .streamlit/config.toml (theme) from the working directory
    print(f"聊天界面：http://{address}:{port}   索引：{env['QA_APP_INDEX']}   （Ctrl-C 退出）", flush=True)
    os.execve(sys.executable, argv, env)
