"""Import-time glue installed by ``ttnn_scaffold.pth``.

Two jobs, both lazy so that interpreters which never import ttnn pay nothing:

* ``ttnn.operations.<op>`` resolves to ``<ops dir>/<op>`` for every package under the project's ``ops/``
  directory (and any directory listed in ``TTNN_SCAFFOLD_OPS_PATH``). ttnn's own modules keep priority: the
  finder sits at the end of ``sys.meta_path`` and is consulted only when ttnn has no such module.
* When ``ttnn`` itself finishes importing, the emulator is activated if no Tenstorrent device is present
  (or if ``TTNN_EMULATOR=1``); ``TTNN_EMULATOR=0`` leaves ttnn untouched.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

_PREFIX = "ttnn.operations."


def ops_dirs() -> list[Path]:
    """Directories whose sub-packages are exposed as ``ttnn.operations.<name>``."""
    dirs = [Path(p) for p in os.environ.get("TTNN_SCAFFOLD_OPS_PATH", "").split(os.pathsep) if p]
    dirs.append(Path(__file__).resolve().parent.parent / "ops")
    return dirs


class _OpsFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX) or fullname.count(".") != 2:
            return None
        name = fullname[len(_PREFIX) :]
        for base in ops_dirs():
            init = base / name / "__init__.py"
            if init.is_file():
                return importlib.util.spec_from_file_location(
                    fullname, init, submodule_search_locations=[str(init.parent)]
                )
        return None


class _ActivatingLoader(importlib.abc.Loader):
    """Wraps ttnn's own loader and activates the emulator right after ``ttnn`` executes."""

    def __init__(self, inner):
        self._inner = inner

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        from emulator.activation import activate_if_needed

        activate_if_needed(module)


class _TtnnFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "ttnn":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _ActivatingLoader(spec.loader)
        return spec


def install() -> None:
    if not any(isinstance(f, _TtnnFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _TtnnFinder())
    if not any(isinstance(f, _OpsFinder) for f in sys.meta_path):
        sys.meta_path.append(_OpsFinder())


install()
