"""The optimizer stays a pure library: importing it loads no web or database framework."""

import subprocess
import sys
from pathlib import Path

import optimizer

FORBIDDEN = ("flask", "sqlalchemy", "placement", "flask_smorest", "alembic")


def test_optimizer_imports_no_framework():
    package_dir = Path(optimizer.__file__).parent
    modules = sorted(
        f"optimizer.{p.stem}" for p in package_dir.glob("*.py") if p.stem not in ("__init__",)
    )
    probe = (
        "import sys, importlib\n"
        f"for name in ['optimizer', *{modules!r}]:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"optimizer pulled in: {out}"
