"""The arrows of the design (docs/architecture.md): views → forms → services → selectors → models,
and reporting → grants, never back. import-linter checks the Python imports against `.importlinter`;
the templates are checked here, since a template can reach another app without an import."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--config", str(config), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True)


def test_the_import_contracts_are_kept():
    done = lint_imports(ROOT / ".importlinter")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_the_contracts_can_fail(tmp_path):
    """A contract that the code breaks is reported as broken: the check above is not vacuous."""
    config = tmp_path / "broken.importlinter"
    config.write_text(
        "[importlinter]\nroot_packages =\n    grants\n    reporting\n\n"
        "[importlinter:contract:reporting-alone]\nname = reporting does not import grants\ntype = forbidden\n"
        "source_modules =\n    reporting\nforbidden_modules =\n    grants\n")
    done = lint_imports(config)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout


def test_grants_templates_do_not_reach_into_reporting():
    """No grants page loads reporting's template tags or includes its templates: reporting adds to
    a grants page through grants.extensions instead."""
    reaching = re.compile(r"{%\s*(load\s+[^%]*reporting_tags|include\s+['\"]reporting/)")
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "templates" / "grants").rglob("*.html")
                 if reaching.search(path.read_text())]
    assert offenders == []
