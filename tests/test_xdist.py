"""The ``eventbridge`` fixture (from the installed package's ``pytest11`` entry point)
under pytest-xdist: each worker is its own process with its own state, and each test
starts empty."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("xdist")

GENERATED = textwrap.dedent(
    '''
    import os

    import boto3
    import pytest


    @pytest.mark.parametrize("n", range(8))
    def test_fresh_state(eventbridge, n):
        client = boto3.client("events", region_name="us-east-1")
        assert client.list_rules()["Rules"] == []
        assert len(eventbridge.deliveries) == 0
        client.put_rule(Name="rule", EventPattern='{"source": ["s"]}')
        client.put_targets(Rule="rule", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
        client.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}])
        assert len(eventbridge.deliveries.to("q")) == 1
        with open(os.environ["WORKERS_SEEN"], "a") as f:
            f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
    '''
)


def test_fixture_under_xdist(tmp_path):
    (tmp_path / "test_generated.py").write_text(GENERATED)
    seen = tmp_path / "workers.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AWS_"))}
    env.update(WORKERS_SEEN=str(seen), AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider", "test_generated.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout
    workers = seen.read_text().split()
    assert len(workers) == 8 and set(workers) <= {"gw0", "gw1"}
