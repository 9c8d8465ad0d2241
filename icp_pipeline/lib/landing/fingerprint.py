"""A content fingerprint of the landing folder, cheap to recompute when nothing changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

DATA_SUFFIXES = {".csv", ".parquet"}


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def landing_fingerprint(landing: Path, known: dict[str, list] | None = None) -> tuple[str, dict[str, list]]:
    """(fingerprint of all data files' contents, {relative path: [size, mtime_ns, sha256]}).

    A file whose size and mtime match `known` reuses its recorded digest, so only new or touched
    files are read; a touched file with unchanged content gives the same fingerprint.
    """
    known = known or {}
    files: dict[str, list] = {}
    if landing.is_dir():
        for path in sorted(
            p for p in landing.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
        ):
            rel = path.relative_to(landing).as_posix()
            stat = path.stat()
            previous = known.get(rel)
            if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
                files[rel] = previous
            else:
                files[rel] = [stat.st_size, stat.st_mtime_ns, file_digest(path)]
    overall = hashlib.sha256("\n".join(f"{rel}:{entry[2]}" for rel, entry in files.items()).encode())
    return overall.hexdigest(), files
