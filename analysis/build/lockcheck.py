"""Are the installed libraries the locked ones? And what of the environment a notebook's bytes depend on.

A notebook's figures depend on the versions of the libraries that compute and draw them. Those versions
are fixed by requirements.lock, which `make install` installs exactly; so a fingerprint hashes the lock
file and the shipped chart fonts (nothing read from the machine), and a machine whose libraries differ
from the lock is told so in one line, with the fix, rather than re-executing every notebook with other
versions.
"""

from __future__ import annotations

import hashlib
from importlib import metadata

from analysis.core.errors import BuildError
from analysis.io.readers.lock import lock_bytes, lock_file, locked_packages
from analysis.site import fonts

# Libraries whose version can change a figure, a chart or an executed notebook's bytes.
CHECKED_LIBRARIES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbformat",
    "nbclient",
    "ipykernel",
)
FIX = "run `make install` to install the locked versions"


class EnvironmentMismatch(BuildError):
    """The installed libraries are not the ones requirements.lock pins."""


def canonical(name: str) -> str:
    """A package name as the lock and the installers compare them (PEP 503)."""
    return "-".join(name.lower().replace("_", "-").replace(".", "-").split("-"))


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def same_version(installed: str | None, locked: str) -> bool:
    """Equal as versions (1.0 is 1.0.0), or as text where one does not parse."""
    if installed is None:
        return False
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:
        return installed == locked
    try:
        return Version(installed) == Version(locked)
    except InvalidVersion:
        return installed == locked


def applies(markers: list[str], environment: dict[str, str] | None = None) -> bool:
    """Whether a locked version is for this interpreter (any of its markers holds; no marker: every one)."""
    if not markers:
        return True
    from packaging.markers import Marker

    return any(Marker(marker).evaluate(environment) for marker in markers)


def locked_versions(
    packages: list[tuple[str, str, list[str]]], environment: dict[str, str] | None = None
) -> dict[str, str]:
    """{canonical name: version} of the lock's packages for this interpreter (or `environment`)."""
    return {canonical(name): version for name, version, markers in packages if applies(markers, environment)}


def mismatches(locked: dict[str, str], installed: dict[str, str | None]) -> list[tuple[str, str, str]]:
    """(package, installed version or "absent", locked version) for each package installed otherwise
    than locked; a package the lock does not pin is no mismatch."""
    pinned = {canonical(name): version for name, version in locked.items()}
    found = []
    for name, version in installed.items():
        want = pinned.get(canonical(name))
        if want is not None and not same_version(version, want):
            found.append((name, version or "absent", want))
    return found


def mismatch_message(found: list[tuple[str, str, str]], lock_name: str = "requirements.lock") -> str:
    """One line: every library that differs, installed against locked, and the fix."""
    listed = "; ".join(f"{name} {have} is installed, {lock_name} has {want}" for name, have, want in found)
    return f"the installed libraries are not the locked ones ({listed}): {FIX}"


def require_locked(libraries: tuple[str, ...] = CHECKED_LIBRARIES) -> None:
    """Stop a build on a machine whose libraries differ from requirements.lock (its notebooks would not be the
    committed ones); nothing to compare for an installation without a lock."""
    path = lock_file()
    if path is None:
        return
    locked = locked_versions(locked_packages(path))
    found = mismatches(locked, {name: installed_version(name) for name in libraries})
    if found:
        raise EnvironmentMismatch(mismatch_message(found, path.name))


def environment_inputs() -> dict[str, str]:
    """What of the environment decides a notebook's bytes, as hashes: the lock file and the chart fonts."""
    return {"lock": hashlib.sha256(lock_bytes(lock_file())).hexdigest()[:16], "fonts": fonts.digest()}
