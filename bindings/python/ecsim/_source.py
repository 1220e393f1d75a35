"""How Python values name a scenario or sweep document: a dict, JSON text, or a path."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

#: A scenario or sweep: a dict (the parsed JSON), JSON text, or the path of a .json file.
Document = Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]


def source_args(document: Document, base_dir: Optional[Union[str, "os.PathLike[str]"]],
                kind: str) -> Dict[str, Any]:
    """The (text, path, base_dir, source_name) arguments of the _ecsim loaders.

    A dict is serialized to JSON; a str whose first non-blank character is ``{`` is JSON text,
    any other str (or a PathLike) is a path. Relative paths inside a dict or text resolve against
    ``base_dir`` (default: the current folder); inside a file, against the file's folder.
    """
    folder = os.fspath(base_dir) if base_dir is not None else os.getcwd()
    args: Dict[str, Any] = {"text": None, "path": None, "base_dir": folder, "source_name": kind}
    if isinstance(document, Mapping):
        args["text"] = json.dumps(document)
    elif isinstance(document, bytes):
        args["text"] = document.decode("utf-8")
    elif isinstance(document, str) and document.lstrip().startswith(("{", "[")):
        args["text"] = document
    elif isinstance(document, (str, os.PathLike)):
        path = Path(os.fspath(document)).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(folder) / path
        args["path"] = str(path)
    else:
        raise TypeError(f"expected a dict, JSON text or a path for the {kind}, "
                        f"not {type(document).__name__}")
    return args
