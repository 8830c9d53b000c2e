"""One extraction in a child process, with hard limits: the child caps its own address space and
CPU time before it loads a parser, and the parent kills it past the wall-clock limit. A zip
bomb, a PDF that decompresses to gigabytes or a page that never ends costs the child, never the
indexer or a web worker (which never even loads the parsers).

Run as ``python -m portal.extraction.worker KIND PATH``; it prints the extract as JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from portal.extraction.model import Extract, ExtractionError, Limits, Paragraph, Table

MEMORY_BYTES = 512 * 1024 * 1024  # the child's address space, parsers and all


def to_json(document: Extract) -> dict:
    """An extract as plain data (the stored form)."""
    blocks = []
    for block in document.blocks:
        if isinstance(block, Table):
            blocks.append({"cells": list(block.cells), "grid": [list(r) for r in block.grid]})
        else:
            blocks.append({"text": block.text, "level": block.level})
        if block.page is not None:
            blocks[-1]["page"] = block.page
    return {"blocks": blocks, "pages": document.pages, "truncated": document.truncated}


def from_json(data: dict) -> Extract:
    """The extract stored as plain data by to_json."""
    blocks: list[Paragraph | Table] = []
    for block in data.get("blocks", []):
        if "cells" in block:
            grid = tuple(tuple(int(i) for i in row) for row in block["grid"])
            blocks.append(Table(tuple(map(str, block["cells"])), grid, block.get("page")))
        else:
            blocks.append(Paragraph(str(block["text"]), int(block["level"]), block.get("page")))
    return Extract(blocks, data.get("pages"), str(data.get("truncated", "")))


def extract_bounded(path: Path, kind: str, limits: Limits | None = None) -> dict:
    """The extract of the file at ``path`` as plain data, read in a child process; on any
    failure ``{"error": why}``, why in words staff can act on."""
    limits = limits or Limits()
    try:
        size = path.stat().st_size
    except OSError as error:
        return {"error": f"the file cannot be read ({error.strerror})"}
    if size > limits.max_bytes:
        return {"error": f"the file is {size:,} bytes, more than {limits.max_bytes:,}"}
    arguments = json.dumps(asdict(limits))
    command = [sys.executable, "-m", "portal.extraction.worker", kind, str(path), arguments]
    try:
        child = subprocess.run(
            command, capture_output=True, timeout=limits.max_seconds + 5, env=_environment()
        )
    except subprocess.TimeoutExpired:
        return {"error": f"reading took longer than {limits.max_seconds:g} seconds"}
    if child.returncode != 0:
        if b"MemoryError" in child.stderr or child.returncode in (-9, 137):
            return {"error": f"reading needed more than {MEMORY_BYTES // 2**20} MB of memory"}
        return {"error": "the file could not be read (the reader stopped)"}
    try:
        return json.loads(child.stdout)
    except ValueError:
        return {"error": "the file could not be read (the reader gave no answer)"}


def _environment() -> dict[str, str]:
    # The child finds the package where this one was found, installed or not.
    root = str(Path(__file__).resolve().parents[2])
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _child(kind: str, path: str, arguments: str) -> None:
    limits = Limits(**json.loads(arguments))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    cpu = int(limits.max_seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from portal.extraction import extract

    try:
        result = to_json(extract(Path(path).read_bytes(), kind, limits))
    except ExtractionError as error:
        result = {"error": str(error)}
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        sys.exit(3)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    _child(*sys.argv[1:4])
