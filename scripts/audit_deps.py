#!/usr/bin/env python3
"""Known vulnerabilities in the pinned requirements (issue 18), with pip-audit.

    .venv/bin/python scripts/audit_deps.py          # what `make audit` and .ci/run run

pip-audit reads the hash-pinned files as they are (--disable-pip --require-hashes: nothing is
installed or resolved) and asks PyPI's JSON API about each pinned version. Outcomes:

- a finding that is not in requirements/audit-exceptions.toml fails (exit 1), with its id,
  package, version and the versions that fix it;
- an exception that no longer matches anything is printed, so the file does not rot;
- when the vulnerability service cannot be asked (no network, or a mirror that serves no
  per-version JSON, as on the machines this project's CI runs on, where pip-audit then
  reports every package as "not found on PyPI"), that is said in one clear block and the
  check passes: it is a fact about the network, not about the requirements. With
  AUDIT_REQUIRE_SERVICE=1 (the GitHub workflow, which reaches PyPI) it fails instead (exit 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ["requirements/bootstrap.txt", "requirements/base.txt", "requirements/dev.txt"]
EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.toml"
# What pip-audit says of a package when the service had nothing for it; when every package
# says it, the service was not reached.
NOT_FOUND = "not found on PyPI"
NETWORK_WORDS = ("connection", "timed out", "timeout", "resolve", "unreachable", "network")

OK, FINDINGS, UNREACHABLE = 0, 1, 2


@dataclass(frozen=True)
class Verdict:
    code: int
    lines: list[str]


def load_exceptions(path: Path = EXCEPTIONS) -> dict[tuple[str, str], str]:
    """(vulnerability id, package) -> why it does not apply to Nexus."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    out: dict[tuple[str, str], str] = {}
    for item in data.get("exception", []):
        reason = str(item.get("reason", "")).strip()
        if not reason:
            raise SystemExit(f"{path}: exception {item.get('id')} has no reason")
        out[(str(item["id"]), str(item["package"]).lower())] = reason
    return out


def evaluate(
    report: dict, exceptions: dict[tuple[str, str], str], *, require_service: bool
) -> Verdict:
    """Turns pip-audit's JSON report into a verdict (the part the tests drive)."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d]
    lines: list[str] = []

    if deps and not audited and all(NOT_FOUND in d["skip_reason"] for d in skipped):
        lines += [
            "NOT AUDITED: the vulnerability service did not answer for any of the "
            f"{len(deps)} pinned packages",
            "  (pip-audit reports each one as 'not found on PyPI': the index reachable from "
            "here serves no per-version JSON).",
            "  This is a fact about the network, not the requirements; the GitHub workflow "
            "runs the same audit against PyPI and fails there.",
        ]
        return Verdict(UNREACHABLE if require_service else OK, lines)

    used: set[tuple[str, str]] = set()
    findings: list[str] = []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            name = dep["name"].lower()
            ids = [vuln["id"], *vuln.get("aliases", [])]
            key = next(((i, name) for i in ids if (i, name) in exceptions), None)
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            where = f"{vuln['id']} in {dep['name']} {dep['version']} (fixed in: {fixed})"
            if key:
                used.add(key)
                lines.append(f"excepted: {where}: {exceptions[key]}")
            else:
                findings.append(where)

    for vuln_id, name in sorted(set(exceptions) - used):
        lines.append(f"stale exception (matches nothing now, remove it): {vuln_id} in {name}")
    for dep in skipped:
        lines.append(f"not audited: {dep['name']}: {dep['skip_reason']}")
    if findings:
        lines += [f"VULNERABLE: {f}" for f in findings]
        lines.append(
            f"{len(findings)} known vulnerabilities: upgrade (make lock) or add each to "
            f"{EXCEPTIONS.relative_to(ROOT)} with why it does not apply"
        )
        return Verdict(FINDINGS, lines)
    if skipped and require_service:
        lines.append(f"{len(skipped)} packages could not be audited")
        return Verdict(UNREACHABLE, lines)
    lines.append(f"pip-audit: {len(audited)} pinned packages, no known vulnerabilities")
    return Verdict(OK, lines)


def run_pip_audit(requirements: list[str]) -> tuple[dict | None, str]:
    cmd = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
    cmd += ["--progress-spinner", "off", "--format", "json", "--timeout", "20"]
    for req in requirements:
        cmd += ["-r", str(ROOT / req)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(proc.stdout), proc.stderr
    except json.JSONDecodeError:
        return None, proc.stderr


def main() -> int:
    require_service = os.environ.get("AUDIT_REQUIRE_SERVICE") == "1"
    # A one-package probe first: where the service is out of reach, that is known in about a
    # second instead of after one refused request per pinned package.
    report, stderr = run_pip_audit(REQUIREMENTS[:1])
    probe = evaluate(report, {}, require_service=False) if report else None
    if report is not None and not (probe and probe.lines[0].startswith("NOT AUDITED")):
        report, stderr = run_pip_audit(REQUIREMENTS)
    if report is None:
        tail = stderr.strip().splitlines()[-3:]
        if any(w in stderr.lower() for w in NETWORK_WORDS):
            print("NOT AUDITED: the vulnerability service could not be reached:")
            print("\n".join(f"  {line}" for line in tail))
            return UNREACHABLE if require_service else OK
        print("pip-audit failed:\n" + stderr, file=sys.stderr)
        return FINDINGS
    verdict = evaluate(report, load_exceptions(), require_service=require_service)
    print("\n".join(verdict.lines))
    return verdict.code


if __name__ == "__main__":
    sys.exit(main())
