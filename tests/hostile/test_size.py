"""Size and shape: empty files, a 100 MB line, many tiny documents, garbage, encodings, truncated gzip."""

import gzip
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED
from kg.errors import InputError, ReaderError
from kg.read import iter_documents, read_documents

# The probe's own peak, VmHWM (ru_maxrss would carry over the peak of the pytest process that started it).
MEMORY_PROBE = """
import sys
from kg.read import iter_documents
count = errors = 0
for item in iter_documents([sys.argv[1]]):
    if hasattr(item, 'passages'): count += 1
    else: errors += 1; print(item)
peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))
print(count, errors, int(peak.split()[1]) // 1024)
"""


def _probe(path):
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True, check=True
    )
    *messages, last = result.stdout.strip().split("\n")
    count, errors, peak_mb = map(int, last.split())
    return count, errors, peak_mb, messages


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\n \n\t\n", "file is empty"),
        (bytes(range(256)) * 40, "binary"),
        ("Titre: café, naïve\n\nCorps du texte.".encode("latin-1"), "not UTF-8"),
        (gzip.compress(SEED.read_bytes())[:400], "damaged gzip"),
    ],
)
def test_broken_files_end_in_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "input.md"
    path.write_bytes(content)
    [error] = list(iter_documents([path]))
    assert isinstance(error, ReaderError) and str(path) in str(error) and message in str(error)
    with pytest.raises(InputError, match=message):
        read_documents([path])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_other_unicode_encodings_and_byte_order_marks_read(tmp_path, encoding):
    path = tmp_path / "seed.md"
    path.write_bytes(SEED.read_text().encode(encoding))
    assert read_documents([path])[0].id == "PMC:11208807"


def test_a_truncated_streamed_file_keeps_the_articles_before_the_break(tmp_path):
    data = gzip.compress((FIXTURES / "pubmed_sample.xml").read_bytes())
    path = tmp_path / "pubmed.xml.gz"
    path.write_bytes(data[: len(data) - 40])
    items = list(iter_documents([path]))
    assert isinstance(items[-1], ReaderError) and str(path) in str(items[-1])


def test_a_100_mb_single_line_is_refused_with_bounded_memory(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("w") as handle:
        handle.write("A title\n\n")
        chunk = "dupilumab inhibits IL-4 " * 4096
        for _ in range(100 * 1024 * 1024 // len(chunk)):
            handle.write(chunk)
    count, errors, peak_mb, messages = _probe(path)
    assert count == 0 and errors == 1 and "document too long" in messages[0]
    assert peak_mb < 1200  # the file's text once or twice, not a token list of it


def test_many_tiny_documents_stream_in_bounded_memory(tmp_path):
    small, large = tmp_path / "small.pubtator", tmp_path / "large.pubtator"
    for path, count in ((small, 10_000), (large, 200_000)):
        with path.open("w") as handle:
            for pmid in range(1, count + 1):
                handle.write(f"{pmid}|t|Dupilumab and atopic dermatitis {pmid}.\n{pmid}|a|IL-4.\n\n")
    small_count, _, small_peak, _ = _probe(small)
    large_count, _, large_peak, _ = _probe(large)
    assert (small_count, large_count) == (10_000, 200_000)
    assert large_peak < small_peak + 60  # 20x the documents, (almost) the same memory
