"""Shared fixtures for the ecsim Python tests.

ctest runs these with PYTHONPATH=<build>/python, ECSIM_SOURCE_DIR and ECSIM_CLI set
(bindings/CMakeLists.txt). By hand:

    PYTHONPATH=build/release/python /usr/bin/python3 -m pytest -q tests/python
"""

from __future__ import annotations

import faulthandler
import os
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

try:
    import ecsim  # noqa: F401
except ImportError as error:  # pragma: no cover - a set-up problem, not a test failure
    pytest.exit(f"cannot import ecsim ({error}); set PYTHONPATH=<build dir>/python and use "
                f"/usr/bin/python3 (running {sys.executable})", returncode=4)

SOURCE_DIR = Path(os.environ.get("ECSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def pytest_configure(config: pytest.Config) -> None:
    # Debian 12's tornado warns inside distributed's LocalCluster; not ecsim's concern.
    config.addinivalue_line("filterwarnings",
                            "ignore:make_current is deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def _watchdog():
    """No test may hang the suite: after 5 minutes, print every thread's stack and exit."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def source_dir() -> Path:
    return SOURCE_DIR


@pytest.fixture
def cli() -> Optional[str]:
    """The ecsim executable, when the test runner says where it is."""
    path = os.environ.get("ECSIM_CLI")
    return path if path and Path(path).exists() else None


def long_scenario(waves: int = 5000) -> Dict[str, Any]:
    """A scenario whose run takes a few hundred milliseconds: `waves` RunTask calls of ten
    three-minute batch tasks on 30 instances (about 50 events per wave)."""
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    return {
        "name": "long",
        "seed": 3,
        "duration": f"{waves + 60}m",
        "metricsPeriod": "1h",
        "cluster": {
            "availabilityZones": zones,
            "containerInstances": [
                {"instanceType": "m5.xlarge", "availabilityZone": z, "count": 10} for z in zones
            ],
        },
        "taskDefinitions": [{
            "family": "job",
            "containerDefinitions": [{
                "name": "work", "image": "example/job", "cpu": 256, "memory": 512,
                "essential": True, "ecsim": {"imageSizeMiB": 50, "exitAfter": "3m"},
            }],
        }],
        "timeline": [
            {"at": f"{m}m", "action": "RunTask", "input": {"taskDefinition": "job", "count": 10}}
            for m in range(1, waves)
        ],
    }
