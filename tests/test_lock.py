"""The locked environment: requirements.lock pins what pyproject.toml asks, with hashes and no index of
any machine; `make install` installs exactly it; a machine whose libraries differ from it is told so in
one line, with the fix, by `plantracker build` and `build --check`, before anything is executed."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from typer.testing import CliRunner

from analysis.build import lockcheck
from analysis.build import orchestrate as build
from analysis.cli import app
from analysis.core import paths
from analysis.io.readers.lock import asked_by_the_project, lock_file, locked_packages, parse_pins

REPO = paths.project_root()
LOCK = REPO / "requirements.lock"
TINY = Path(__file__).parent / "fixtures" / "tiny_site"


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()
    texts = [*project["dependencies"], *(text for group in extras for text in group)]
    return [Requirement(text) for text in texts]


def test_the_lock_was_written_from_the_current_pyproject():
    """Fails when a dependency is added, removed or re-bounded in pyproject.toml without `make lock`."""
    text = LOCK.read_text(encoding="utf-8")
    pinned = lockcheck.locked_versions(parse_pins(text))
    wanted = pyproject_requirements()
    missing = [str(r) for r in wanted if lockcheck.canonical(r.name) not in pinned]
    assert missing == [], "pyproject.toml asks for packages the lock lacks: run `make lock`"
    outside = [
        f"{r} (locked {pinned[lockcheck.canonical(r.name)]})"
        for r in wanted
        if not r.specifier.contains(pinned[lockcheck.canonical(r.name)], prereleases=True)
    ]
    assert outside == [], "pyproject.toml's bounds exclude the locked versions: run `make lock`"
    asked = {lockcheck.canonical(name) for name in asked_by_the_project(text)}
    assert asked == {lockcheck.canonical(r.name) for r in wanted}, "run `make lock`"


def test_the_lock_reader_sees_each_pin_its_marker_and_who_asked(tmp_path: Path):
    text = (
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:aa\n    # via\n"
        "    #   plantracker (pyproject.toml)\n    #   pandas\n"
        "pandas==3.1.1 \\\n    --hash=sha256:bb\n    # via plantracker (pyproject.toml)\n"
        "tzdata==2025.2 \\\n    --hash=sha256:cc\n    # via pandas\n"
    )
    assert parse_pins(text) == [
        ("numpy", "2.4.6", ["python_full_version < '3.12'"]),
        ("pandas", "3.1.1", []),
        ("tzdata", "2025.2", []),
    ]
    assert asked_by_the_project(text) == {"numpy", "pandas"}


def test_the_lock_pins_every_package_with_hashes_and_names_no_index():
    text = LOCK.read_text(encoding="utf-8")
    pins = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(pins) == len(locked_packages(LOCK)) > 100
    assert all(line.rstrip().endswith("\\") for line in pins)  # each followed by its hashes
    assert not re.search(r"--(extra-)?index-url|--find-links|file://|https?://", text)


def test_make_install_bootstraps_the_uv_the_lock_pins():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    wanted = re.search(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE).group(1)
    assert lockcheck.locked_versions(locked_packages(LOCK))["uv"] == wanted
    assert "pip sync --quiet --require-hashes" in makefile


def test_a_package_locked_twice_is_taken_at_the_version_for_this_python():
    packages = [
        ("numpy", "2.4.6", ["python_full_version < '3.12'"]),
        ("numpy", "2.5.5", ["python_full_version >= '3.12'"]),
        ("pandas", "3.1.1", []),
    ]
    on_311 = {"python_full_version": "3.11.7", "python_version": "3.11"}
    on_313 = {"python_full_version": "3.13.1", "python_version": "3.13"}
    assert lockcheck.locked_versions(packages, on_311) == {"numpy": "2.4.6", "pandas": "3.1.1"}
    assert lockcheck.locked_versions(packages, on_313) == {"numpy": "2.5.5", "pandas": "3.1.1"}


def test_mismatches_name_the_package_the_installed_and_the_locked_version():
    locked = {"pandas": "3.1.1", "vl-convert-python": "1.9.0.post1", "numpy": "2.4.0"}
    installed = {
        "pandas": "2.2.3",
        "vl_convert_python": "1.9.0.post1",
        "numpy": "2.4",
        "altair": None,
        "statsmodels": "0.14.4",
    }
    # numpy 2.4 is 2.4.0; altair and statsmodels are not in this lock, so they are no mismatch
    assert lockcheck.mismatches(locked, installed) == [("pandas", "2.2.3", "3.1.1")]
    assert lockcheck.mismatches({"altair": "6.3.0"}, {"altair": None}) == [("altair", "absent", "6.3.0")]
    message = lockcheck.mismatch_message([("pandas", "2.2.3", "3.1.1")])
    assert message == (
        "the installed libraries are not the locked ones (pandas 2.2.3 is installed, requirements.lock "
        "has 3.1.1): run `make install` to install the locked versions"
    )


def test_this_environment_is_the_locked_one():
    """`make install` installed exactly the lock (what `make test` runs in)."""
    locked = lockcheck.locked_versions(locked_packages(LOCK))
    for name in ("pandas", "numpy", "statsmodels", "altair", "vl-convert-python"):
        assert lockcheck.installed_version(name) == locked[name], name
    lockcheck.require_locked()


def test_the_fingerprint_hashes_the_lock_and_the_fonts_not_the_machine():
    assert lock_file() == LOCK
    inputs = lockcheck.environment_inputs()
    assert set(inputs) == {"lock", "fonts"}
    import hashlib

    assert inputs["lock"] == hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]


@pytest.fixture
def pandas_not_locked(monkeypatch):
    """This machine as one with another pandas than the lock's."""
    real = lockcheck.installed_version
    monkeypatch.setattr(
        lockcheck, "installed_version", lambda name: "2.2.3" if name == "pandas" else real(name)
    )
    return lockcheck.locked_versions(locked_packages(LOCK))["pandas"]


def test_build_check_says_in_one_line_which_library_differs_and_the_fix(pandas_not_locked, tmp_path: Path):
    root = tmp_path / "site"
    shutil.copytree(TINY, root)
    result = CliRunner().invoke(
        app, ["build", "--check"], env={"PLANTRACKER_ROOT": str(root), "COLUMNS": "200"}
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"error the installed libraries are not the locked ones (pandas 2.2.3 is installed, "
        f"requirements.lock has {pandas_not_locked}): run `make install` to install the locked versions"
    ]


def test_build_refuses_before_executing_anything(pandas_not_locked, tmp_path: Path, monkeypatch):
    root = tmp_path / "site"
    shutil.copytree(TINY, root)
    monkeypatch.setattr(build, "input_problems", lambda root: [])
    with pytest.raises(lockcheck.EnvironmentMismatch, match=r"pandas 2\.2\.3 is installed.*make install"):
        build.build_site(renderer="offline", root=root)
    assert not (root / "reports" / "north.ipynb").exists()
    assert not (root / "reports" / "_site").exists()
