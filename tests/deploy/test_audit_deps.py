"""scripts/audit_deps.py: pip-audit's JSON report to a verdict (issue 18). The reports are
pip-audit's own format, as it prints them for a finding, a clean run and an unreachable
service."""

from tests.deploy.conftest import ROOT, load_script

audit = load_script("audit_deps")

VULN = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "fix_versions": ["1.2.4"],
    "aliases": ["CVE-2026-0001"],
    "description": "...",
}


def report(*deps):
    return {"dependencies": list(deps), "fixes": []}


def test_a_finding_fails_with_its_id_and_fix():
    verdict = audit.evaluate(
        report(
            {"name": "django", "version": "6.1.3", "vulns": []},
            {"name": "somepkg", "version": "1.2.3", "vulns": [VULN]},
        ),
        {},
        require_service=False,
    )
    assert verdict.code == audit.FINDINGS
    assert "VULNERABLE: GHSA-aaaa-bbbb-cccc in somepkg 1.2.3 (fixed in: 1.2.4)" in verdict.lines


def test_an_excepted_finding_passes_and_says_why():
    exceptions = {("CVE-2026-0001", "somepkg"): "Nexus never parses untrusted archives"}
    verdict = audit.evaluate(
        report({"name": "SomePkg", "version": "1.2.3", "vulns": [VULN]}),
        exceptions,
        require_service=True,
    )
    assert verdict.code == audit.OK
    assert any("Nexus never parses untrusted archives" in line for line in verdict.lines)


def test_a_stale_exception_is_reported():
    verdict = audit.evaluate(
        report({"name": "django", "version": "6.1.3", "vulns": []}),
        {("GHSA-old", "django"): "was fixed upstream"},
        require_service=False,
    )
    assert verdict.code == audit.OK
    assert any(line.startswith("stale exception") for line in verdict.lines)


def test_an_unreachable_service_is_said_clearly_and_fails_only_where_required():
    deps = [
        {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}"}
        for n in ("django", "celery")
    ]
    here = audit.evaluate(report(*deps), {}, require_service=False)
    assert here.code == audit.OK
    assert here.lines[0].startswith("NOT AUDITED")
    github = audit.evaluate(report(*deps), {}, require_service=True)
    assert github.code == audit.UNREACHABLE


def test_a_finding_is_not_hidden_by_other_packages_being_unaudited():
    verdict = audit.evaluate(
        report(
            {"name": "local", "skip_reason": "Dependency not found on PyPI and could not..."},
            {"name": "somepkg", "version": "1.2.3", "vulns": [VULN]},
        ),
        {},
        require_service=False,
    )
    assert verdict.code == audit.FINDINGS


def test_the_exceptions_file_parses_and_every_entry_has_a_reason():
    assert isinstance(audit.load_exceptions(), dict)


def test_every_requirements_file_is_pinned_with_hashes():
    """make lock compiles with --generate-hashes; an install refuses a file without them."""
    for name in audit.REQUIREMENTS:
        text = (ROOT / name).read_text()
        pins = [line for line in text.splitlines() if line[:1].isalpha() and "==" in line]
        assert pins, name
        blocks = text.split("\n")
        for i, line in enumerate(blocks):
            if line in pins:
                assert line.endswith("\\") and "--hash=sha256:" in blocks[i + 1], (name, line)
