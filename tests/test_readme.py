"""The README's command table names every `qa-app` command, and its two first commands are the ones CI and users run."""
from pathlib import Path

from qa_app.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme_table():
    assert sorted(main.commands) == ["ask", "chat", "check", "embed", "eval", "facts", "index", "migrate", "remove",
                                     "reports", "search", "serve", "set-meta", "setup-llm"]
    for name in main.commands:
        assert f"| `qa-app {name}" in README, f"README 的命令表缺少 qa-app {name}"


def test_quick_start_commands_match_ci():
    assert "bash scripts/install.sh && .venv/bin/qa-app index && .venv/bin/qa-app chat" in README
    assert ".venv/bin/python -m pytest -q" in README
    assert "bash scripts/install.sh" in CI
    assert CI.rstrip().endswith(".venv/bin/python -m pytest -q")
