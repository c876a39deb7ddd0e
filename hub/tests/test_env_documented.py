"""Every environment variable hub/settings.py reads has a row in the README's variable
table, so an operator can find it (issue 18). A new `env.<type>("NAME", ...)` without a
row fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""env(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_variables(text: str) -> set[str]:
    return set(READ.findall(text))


def readme_table_variables(text: str) -> set[str]:
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_every_variable_the_settings_read_is_in_the_readme_table():
    read = settings_variables((ROOT / "hub" / "settings.py").read_text())
    documented = readme_table_variables((ROOT / "README.md").read_text())
    assert len(read) >= 30  # the reader found them (it cannot pass by finding nothing)
    assert read - documented == set(), f"not in the README's table: {sorted(read - documented)}"


def test_the_check_fails_on_a_variable_without_a_row():
    settings_text = (ROOT / "hub" / "settings.py").read_text()
    broken = settings_text + '\nX = env.str("NEXUS_UNDOCUMENTED", default="")\n'
    documented = readme_table_variables((ROOT / "README.md").read_text())
    assert "NEXUS_UNDOCUMENTED" in settings_variables(broken) - documented
