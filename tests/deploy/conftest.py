"""The deployment and dependency checks are scripts in scripts/; these tests load them by path
and prove each one fails on a broken copy of the file it checks."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _clear_cache():
    """These tests touch no cache (overrides the root conftest's, which needs Redis)."""
    yield
