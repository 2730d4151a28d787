"""Drop-in use, each case in its own Python process whose network is blocked (any attempt
to resolve a name or connect beyond loopback fails the case): see tests/drop_in/."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "drop_in"


def run(*args: str, env: dict | None = None, network_expected: bool = False) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "PYTEST_", "EVENTBRIDGE_"))
    }
    # Credentials as a developer's laptop has them: a mock must keep every call in.
    environment.update(
        AWS_ACCESS_KEY_ID="AKIAREALLOOKINGKEY00",
        AWS_SECRET_ACCESS_KEY="real-looking-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(CASES),
        **(env or {}),
    )
    done = subprocess.run(
        [sys.executable, *args], cwd=CASES, env=environment, capture_output=True, text=True, timeout=300
    )
    if not network_expected:
        assert "NETWORK ATTEMPT" not in done.stderr, done.stderr
    return done


def pytest_case(name: str, *options: str) -> str:
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "python_files=case_*.py",
               *options, f"{name}.py")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "case, passed",
    [
        ("case_module_level", 3),
        ("case_hooks", 7),
        ("case_stubber", 3),
        ("case_documentation", 2),
        ("case_forwarding", 7),
        ("case_fixture_switch", 4),
        ("case_threads", 3),
        ("case_api_destinations", 6),
    ],
)
def test_case(case, passed):
    assert f"{passed} passed" in pytest_case(case)


def test_fixture_switch_from_the_ini_file():
    assert "4 passed" in pytest_case("case_fixture_switch", "-o", "eventbridge_forward_targets=true")


def test_clients_made_before_the_package_is_imported():
    done = run("case_before_import.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "served before and after import; botocore restored\n"


def test_the_blocked_network_is_noticed():
    """The harness itself: a real call outside a mock is caught."""
    done = run("-c", "import boto3; boto3.client('events').list_rules()", network_expected=True)
    assert done.returncode != 0
    assert "NETWORK ATTEMPT: resolve 'events.us-east-1.amazonaws.com'" in done.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("aiobotocore") is None,
    reason="aiobotocore is not installed here: it pins a botocore of its own, so .ci/run runs this "
    "case in an environment of its own",
)
def test_aiobotocore_clients():
    assert "2 passed" in pytest_case("case_aio")
