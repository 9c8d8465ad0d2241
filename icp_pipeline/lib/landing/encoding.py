"""Text encodings of CSV files: what the contract's UTF-8 reader can take, what is converted, what is refused.

- UTF-8, with or without a byte-order mark (BOM): read as it is (DuckDB and `utf-8-sig` skip the BOM).
- UTF-16 (either byte order, with a BOM or recognisable by its NUL bytes; UTF-32 with a BOM too; Excel's "Unicode Text" save
  is UTF-16 LE with a BOM and tab separated, see Microsoft's "File formats that are supported in
  Excel"): converted to a UTF-8, comma-separated temporary copy that the loader reads instead
  (`utf8_copies`); row order and line numbers stay those of the file, messages name the file.
- Anything else that is not UTF-8 stops the load naming the line, the byte and the encoding the bytes
  are most likely in (`charset_normalizer`), with a conversion command for that encoding. The
  Latin-1/Windows-1252 hint is given only when the file has no NUL byte and decodes as Windows-1252.
"""

from __future__ import annotations

import codecs
import csv
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from icp_pipeline.lib.landing.files import TableFiles

# UTF-32's byte-order marks start like UTF-16's, so they are tested first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 4096
# Non-letters that Windows-1252/Latin-1 text commonly holds (quotes, dashes, currency, symbols).
_CP1252_PUNCTUATION = set(
    "\u201c\u201d\u2018\u2019\u2013\u2014\u20ac\u2026\u2022\u2122\u00a0\u00a3\u00a7\u00a9\u00ae\u00b0\u00b7\u00ab\u00bb\u00bf\u00a1"
)


def utf16_encoding(path: Path) -> str | None:
    """`utf-16-le`/`utf-16-be` (`utf-32-*`) when the file is UTF-16 (by its BOM, else by NUL bytes)
    or UTF-32 (by its BOM), else None.

    Without a BOM, text of mostly ASCII characters in UTF-16 has a NUL in every other byte: at odd
    offsets in little-endian, at even offsets in big-endian.
    """
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    pairs = len(head) // 2
    if pairs < 2:
        return None
    odd = sum(1 for i in range(1, 2 * pairs, 2) if head[i] == 0)
    even = sum(1 for i in range(0, 2 * pairs, 2) if head[i] == 0)
    if odd >= 0.5 * pairs and even <= 0.01 * pairs:
        return "utf-16-le"
    if even >= 0.5 * pairs and odd <= 0.01 * pairs:
        return "utf-16-be"
    return None


def _write_utf8_copy(path: Path, encoding: str, target: Path) -> None:
    """Decode `path` and write it as UTF-8 CSV with commas (a tab-separated header: tab-separated rows)."""
    with path.open(encoding=encoding, newline="") as src:
        first = src.readline().lstrip("\ufeff")
        delimiter = "\t" if "\t" in first and "," not in first else ","
        src.seek(0)
        if src.read(1) != "\ufeff":
            src.seek(0)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            for row in csv.reader(src, delimiter=delimiter):
                writer.writerow(row)


@contextmanager
def utf8_copies(found: TableFiles) -> Iterator[tuple[TableFiles, dict[str, str]]]:
    """The table's files with each UTF-16 CSV replaced by a UTF-8 copy, and {copy path: original path}.

    The copies live in a temporary folder removed on exit. Other files are used as they are.
    """
    if found.file_format != "csv":
        yield found, {}
        return
    converted = {p: enc for p in found.files if (enc := utf16_encoding(p))}
    if not converted:
        yield found, {}
        return
    folder = Path(tempfile.mkdtemp(prefix="icp-landing-utf8-"))
    try:
        files, originals = [], {}
        for i, path in enumerate(found.files):
            if path in converted:
                copy = folder / f"{i:04d}_{path.name}"
                _write_utf8_copy(path, converted[path], copy)
                originals[str(copy)] = str(path)
                path = copy
            files.append(path)
        yield TableFiles(found.table, tuple(files), "csv"), originals
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def first_non_utf8(path: Path, chunk_size: int = 1 << 24) -> tuple[int, int, bytes] | None:
    """(line, byte offset, byte) of the first byte that is not valid UTF-8, read in chunks."""
    carry, offset, line = b"", 0, 1
    with path.open("rb") as f:
        while True:
            chunk = f.read(chunk_size)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as err:
                if chunk and err.reason == "unexpected end of data":  # a character split by the chunk
                    carry, data = data[err.start :], data[: err.start]
                else:
                    line += data.count(b"\n", 0, err.start)
                    return line, offset + err.start, data[err.start : err.start + 1]
            line += data.count(b"\n")
            offset += len(data)


def _likely_encoding(path: Path, offset: int) -> str | None:
    """The encoding the bytes around `offset` are most likely in: `cp1252` when they read as Western
    European letters and punctuation in Windows-1252 (a superset of Latin-1's printable characters),
    `nul` when the file holds NUL bytes (UTF-16/32 or not text), else `charset_normalizer`'s best guess.
    """
    with path.open("rb") as f:
        sample = f.read(1 << 20)
        if offset >= len(sample):
            f.seek(max(0, offset - (1 << 19)))
            sample += f.read(1 << 20)
    if b"\x00" in sample:
        return "nul"
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(ch.isalpha() or ch in _CP1252_PUNCTUATION for ch in text if ord(ch) > 127):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else None


def _has_c1_bytes(path: Path) -> bool:
    not_c1 = bytes(range(0x80)) + bytes(range(0xA0, 0x100))
    with path.open("rb") as f:
        return any(block.translate(None, not_c1) for block in iter(lambda: f.read(1 << 20), b""))


def encoding_problem(path: Path) -> str | None:
    """A sentence naming where and how the file is not UTF-8, with a working conversion; None if it is."""
    bad = first_non_utf8(path)
    if bad is None:
        return None
    line, offset, byte = bad
    where = f"line {line} is not UTF-8 (byte 0x{byte.hex().upper()} at offset {offset}"
    guess = _likely_encoding(path, offset)
    if guess == "cp1252":
        # Latin-1 and Windows-1252 differ only in bytes 0x80-0x9F (curly quotes, euro sign, ...)
        source = "cp1252" if _has_c1_bytes(path) else "latin1"
        return (
            f"{where}, {byte.decode('cp1252', errors='replace')!r} in Latin-1/Windows-1252). The landing "
            f"contract expects UTF-8: save the file as UTF-8 (e.g. `iconv -f {source} -t utf-8 {path.name} > "
            f"{path.stem}.utf8.csv`, or 'CSV UTF-8' in Excel) and replace it. If names then look wrong, "
            "the export used another code page (e.g. cp1250 Central European, cp1253 Greek): convert from "
            "that one instead."
        )
    if guess == "nul":
        return (
            f"{where}; the file holds NUL bytes, so it is UTF-16 or UTF-32 without a byte-order mark, or "
            "not a text file). The landing contract expects UTF-8: save it as 'CSV UTF-8' (e.g. `iconv -f "
            f"UTF-16LE -t utf-8 {path.name} > {path.stem}.utf8.csv`; UTF-16BE, UTF-32LE or UTF-32BE for the "
            "other forms) and replace it."
        )
    if guess:
        return (
            f"{where}; the bytes look like {guess}). The landing contract expects UTF-8: convert it (e.g. "
            f"`iconv -f {guess} -t utf-8 {path.name} > {path.stem}.utf8.csv`, or 'CSV UTF-8' in Excel) "
            "and replace it."
        )
    return (
        f"{where}; the encoding could not be recognised). The landing contract expects UTF-8: export "
        "the file again as 'CSV UTF-8'."
    )
