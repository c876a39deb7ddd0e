"""SECURITY.md's ASVS table names the tests that cover each item: every file and test it
names exists, so a renamed or deleted test cannot leave the table claiming coverage."""

import re

from tests.deploy.conftest import ROOT

REF = re.compile(r"`([^`]+)`")


def table_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 3 and re.match(r"V\d", cells[0]):
            rows.append((cells[0], cells[2]))
    return rows


def named_tests(cell: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for every reference in a "covered by" cell: `path::name`,
    `::name` (the file named before it), `path` alone, `name` (after a path, in brackets)."""
    refs: list[tuple[str, str | None]] = []
    current = None
    for ref in REF.findall(cell):
        path, _, name = ref.partition("::")
        if path.endswith(".py") or path.endswith("/"):
            current = path
            refs.append((path, name or None))
        elif path == "" and current:
            refs.append((current, name))
        elif re.fullmatch(r"test_\w+", ref) and current:
            refs.append((current, ref))
    return refs


def missing(text: str) -> list[str]:
    problems = []
    for item, cell in table_rows(text):
        for path, name in named_tests(cell):
            file = ROOT / path
            if not file.exists():
                problems.append(f"{item}: {path} does not exist")
            elif name and file.is_file():
                last = name.split("::")[-1]
                if not re.search(
                    rf"^\s*(async )?def {last}\b|^\s*class {last}\b", file.read_text(), re.M
                ):
                    problems.append(f"{item}: {path}::{name} is not defined")
    return problems


def test_every_test_the_asvs_table_names_exists():
    text = (ROOT / "SECURITY.md").read_text()
    rows = table_rows(text)
    assert len(rows) >= 20
    assert sum(len(named_tests(cell)) for _, cell in rows) >= 40
    assert missing(text) == []


def test_a_renamed_test_is_caught():
    text = (ROOT / "SECURITY.md").read_text()
    broken = text.replace("::test_login_and_logout", "::test_login_and_logout_renamed")
    assert broken != text
    assert missing(broken) == [
        "V3.3.1: accounts/tests/test_auth_flows.py::test_login_and_logout_renamed is not defined"
    ]
