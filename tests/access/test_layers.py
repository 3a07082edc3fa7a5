"""The HTTP modules for keys, accounts, webhooks and the audit log reach the store only through services.

(The import-linter contract covers all of ``server/`` and ``cli/``; this pins the modules this
area reshaped, so a regression names the file.)
"""

import ast
from pathlib import Path

import pytest

import khien

SRC = Path(khien.__file__).parent
RESHAPED = ["server/auth.py", "server/routers/admin.py", "server/routers/audit.py", "server/console/auth.py",
            "server/console/signin.py"]


def _imports(path: Path) -> set[str]:
    package = ".".join(("khien", *path.relative_to(SRC).parent.parts))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found |= {module} | {f"{module}.{a.name}" for a in node.names}
    return found


@pytest.mark.parametrize("relative", RESHAPED)
def test_no_store_imports_above_the_services(relative):
    imported = _imports(SRC / relative)
    assert not {m for m in imported if m == "khien.store" or m.startswith("khien.store.")}, relative


def test_the_access_services_do_not_import_the_server():
    for path in [*(SRC / "access").glob("*.py"), *(SRC / "hooks").glob("*.py")]:
        assert not {m for m in _imports(path) if m.startswith("khien.server")}, path.name
