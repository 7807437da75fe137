"""The example scripts in examples/python run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


def test_plot_findings_writes_a_png(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "findings.png"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "plot_findings.py"), str(out),
         "--as-of", "2026-11-30"],
        check=True, capture_output=True, timeout=120,
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 5000
