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


# --- the deployment files (scripts/check_deploy_files.py holds what production needs) ---

APP_SERVICES = ("web", "ws", "worker", "beat", "migrate")


def _deploy():
    from tests.deploy.conftest import load_script

    return load_script("check_deploy_files")


def compose_missing(deploy, path) -> dict[str, set[str]]:
    return {
        service: set(deploy.PRODUCTION_VARIABLES)
        - set(deploy.compose_app_environment(path, service))
        for service in APP_SERVICES
    }


def fly_missing(deploy, path) -> set[str]:
    import tomllib

    text = path.read_text()
    provided = set(tomllib.loads(text).get("env", {})) | deploy.fly_secrets(text)
    return set(deploy.PRODUCTION_VARIABLES) - provided


def readers_text() -> str:
    """Everything that reads a variable in a container: the settings, the entrypoint, Caddy."""
    return "\n".join(
        (ROOT / name).read_text()
        for name in ("hub/settings.py", "docker/entrypoint.sh", "docker/Caddyfile")
    )


def test_what_production_needs_is_read_by_the_settings_and_documented():
    deploy = _deploy()
    read = settings_variables((ROOT / "hub" / "settings.py").read_text())
    documented = readme_table_variables((ROOT / "README.md").read_text())
    assert set(deploy.PRODUCTION_VARIABLES) - read == set()
    assert set(deploy.PRODUCTION_VARIABLES) - documented == set()


def test_every_app_service_in_compose_and_fly_sets_what_production_needs():
    deploy = _deploy()
    assert compose_missing(deploy, ROOT / "docker-compose.yml") == {s: set() for s in APP_SERVICES}
    assert fly_missing(deploy, ROOT / "fly.toml") == set()


def test_the_comparison_fails_on_a_compose_or_fly_file_without_a_variable(tmp_path):
    deploy = _deploy()
    compose = tmp_path / "docker-compose.yml"
    text = (ROOT / "docker-compose.yml").read_text()
    compose.write_text(re.sub(r"  NEXUS_BASE_URL: .*\n", "", text, count=1))
    assert compose_missing(deploy, compose)["worker"] == {"NEXUS_BASE_URL"}
    fly = tmp_path / "fly.toml"
    fly.write_text((ROOT / "fly.toml").read_text().replace(" REDIS_URL=redis://...", ""))
    assert fly_missing(deploy, fly) == {"REDIS_URL"}


def test_every_variable_compose_and_fly_set_is_read_by_something():
    """A misspelt name (DJANGO_ALLOWED_HOST) would be set and silently ignored."""
    import tomllib

    deploy = _deploy()
    readers = readers_text()
    compose_set = set()
    for service in APP_SERVICES:
        compose_set |= set(deploy.compose_app_environment(ROOT / "docker-compose.yml", service))
    fly_text = (ROOT / "fly.toml").read_text()
    fly_set = set(tomllib.loads(fly_text).get("env", {})) | deploy.fly_secrets(fly_text)
    unread = {n for n in compose_set | fly_set if not re.search(rf"\b{n}\b", readers)}
    assert unread == set()
    assert not re.search(r"\bDJANGO_ALLOWED_HOST\b", readers)  # the search can fail
