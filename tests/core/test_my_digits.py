import gzip
import json
import subprocess
import sys

import pytest

from mnist_canvas.data import DataError
from mnist_canvas.data.my_digits import FILE_NAME, MyDigits, default_path, held_back
from mnist_canvas.data.strokes import read_strokes
from mnist_canvas.ink.drawing import Drawing, Stroke


def seven(brush: float = 12.0) -> Drawing:
    top = Stroke.from_points([(80, 60), (200, 60), (120, 230)], brush)
    bar = Stroke.from_points([(110, 140), (180, 140)], brush)
    return Drawing(280, 280, (top, bar))


def test_the_collection_lives_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_path().is_relative_to(tmp_path)
    assert default_path().name == FILE_NAME == "my-digits.jsonl"
    assert len(MyDigits.open()) == 0  # absent: empty, nothing written
    assert not default_path().exists()


def test_added_digits_are_stroke_records_the_evaluator_reads(tmp_path):
    path = tmp_path / "d" / "my.jsonl"
    digits = MyDigits.open(path)
    digits.add(seven(), 7)
    digits.add(seven(20), 1)
    records = list(read_strokes(path))
    assert [r.label for r in records] == [7, 1]
    assert records[0].drawing.strokes[0].points[0].x == 80
    assert records[1].brush == 20
    line = json.loads(path.read_text().splitlines()[0])
    assert set(line) == {"label", "strokes", "canvas", "brush", "time"}
    assert line["canvas"] == [280, 280]
    assert MyDigits.open(path).labels() == [7, 1]


def test_bad_labels_and_empty_drawings_are_refused(tmp_path):
    digits = MyDigits.open(tmp_path / "my.jsonl")
    with pytest.raises(ValueError, match="0–9"):
        digits.add(seven(), 10)
    with pytest.raises(ValueError, match="empty"):
        digits.add(Drawing(), 3)
    assert not (tmp_path / "my.jsonl").exists()


def test_relabel_delete_and_export(tmp_path):
    digits = MyDigits.open(tmp_path / "my.jsonl")
    for label in (1, 2, 3, 4):
        digits.add(seven(), label)
    digits.relabel([0], 7)
    digits.delete([1, 3])
    assert MyDigits.open(digits.path).labels() == [7, 3]
    digits.export(tmp_path / "shared.jsonl")
    assert [r.label for r in read_strokes(tmp_path / "shared.jsonl")] == [7, 3]
    digits.export(tmp_path / "one.jsonl", [1])
    assert [r.label for r in read_strokes(tmp_path / "one.jsonl")] == [3]


def test_reading_stops_when_asked_and_leaves_the_file_alone(tmp_path):
    digits = MyDigits.open(tmp_path / "my.jsonl")
    for label in (1, 2, 3):
        digits.add(seven(), label)
    before = digits.path.read_bytes()
    with pytest.raises(InterruptedError, match="reading was stopped"):
        MyDigits.open(digits.path, stopping=lambda: True)
    assert digits.path.read_bytes() == before
    asked = []
    read = MyDigits.open(digits.path, stopping=lambda: asked.append(1) and False)
    assert read.labels() == [1, 2, 3] and asked  # asked, and read on


def test_the_newest_fifth_of_each_class_is_held_back():
    labels = [1] * 10 + [2] * 5 + [3] * 2
    assert held_back(labels) == [8, 9, 14]
    assert held_back([4, 5]) == [1]  # too few per class: still one
    assert held_back([4]) == []


def test_import_adds_collections_and_pen_digits(tmp_path):
    other = MyDigits.open(tmp_path / "other.jsonl")
    other.add(seven(), 7)
    pen = tmp_path / "pen.jsonl.gz"
    with gzip.open(pen, "wt") as f:  # tablet units, no canvas
        f.write('{"label": 1, "writer": "w", "strokes": [[[5, -900], [6, -500]]]}\n')
    digits = MyDigits.open(tmp_path / "my.jsonl")
    assert digits.import_file(other.path) == 1
    assert digits.import_file(pen) == 1
    records = list(read_strokes(digits.path))
    assert [r.label for r in records] == [7, 1]
    assert records[1].drawing.width == 280  # placed on the default canvas


def test_a_pen_digit_file_in_the_collections_place_is_drawn_as_imported(tmp_path):
    pen = tmp_path / "my.jsonl"  # tablet units, no canvas: copied over by hand
    pen.write_text('{"label": 1, "writer": "w", "strokes": [[[5, -900], [6, -500]]]}\n')
    collection = MyDigits.open(pen)
    imported = MyDigits.open(tmp_path / "other.jsonl")
    imported.import_file(pen)
    assert collection.digits()[0].drawing == imported.digits()[0].drawing
    collection.relabel([0], 7)  # the file keeps its record, relabelled
    assert collection.digits()[0].drawing == imported.digits()[0].drawing
    assert [r.drawing for r in read_strokes(pen)] == [None]


def test_a_bad_import_adds_nothing(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": 1, "strokes": [[[0, 0], [0, 5]]]}\n{"label": 12}\n')
    digits = MyDigits.open(tmp_path / "my.jsonl")
    digits.add(seven(), 7)
    with pytest.raises(DataError, match=r"bad\.jsonl:2"):
        digits.import_file(bad)
    assert MyDigits.open(digits.path).labels() == [7]


def test_a_damaged_collection_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "my.jsonl"
    path.write_text('{"label": 3, "strokes": [[[0, 0], [0, 5]]], "canvas": [280, 280]')
    before = path.read_bytes()
    with pytest.raises(DataError, match=r"my\.jsonl:1"):
        MyDigits.open(path)
    assert path.read_bytes() == before


CRASH = """
import os, sys
from mnist_canvas.data.my_digits import MyDigits
from mnist_canvas.ink.drawing import Drawing, Stroke
digits = MyDigits.open(sys.argv[1])
def die(fd):  # the process is killed after the new text is written, before rename
    os._exit(9)
os.fsync = die
digits.add(Drawing(strokes=(Stroke.from_points([(10, 10), (10, 200)]),)), 1)
"""


def test_a_crash_during_an_append_loses_nothing(tmp_path):
    path = tmp_path / "my.jsonl"
    digits = MyDigits.open(path)
    for label in (3, 5):
        digits.add(seven(), label)
    before = path.read_bytes()
    child = subprocess.run([sys.executable, "-c", CRASH, str(path)], timeout=60)
    assert child.returncode == 9
    assert path.read_bytes() == before  # the old collection, whole
    assert len(list(tmp_path.glob(".my.jsonl.*"))) == 1  # the dead write's part
    reopened = MyDigits.open(path)
    assert reopened.labels() == [3, 5]
    reopened.add(seven(), 7)  # the next write works and clears the leftover
    assert MyDigits.open(path).labels() == [3, 5, 7]
    assert list(tmp_path.glob(".my.jsonl.*")) == []


def test_a_failed_write_keeps_the_collection_in_memory_and_on_disk(
    tmp_path, monkeypatch
):
    path = tmp_path / "my.jsonl"
    digits = MyDigits.open(path)
    digits.add(seven(), 3)

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mnist_canvas.files.os.replace", full_disk)
    with pytest.raises(DataError, match=r"could not be written.*No space"):
        digits.add(seven(), 4)
    monkeypatch.undo()
    assert digits.labels() == [3]
    assert MyDigits.open(path).labels() == [3]
    assert list(tmp_path.glob(".my.jsonl.*")) == []


def test_two_windows_keeping_digits_lose_none_of_each_others(tmp_path):
    path = tmp_path / "my.jsonl"
    MyDigits.open(path).add(seven(), 3)
    first, second = MyDigits.open(path), MyDigits.open(path)
    first.add(seven(), 7)
    second.add(seven(), 1)  # once wrote [3, 1]: the 7 was lost
    assert MyDigits.open(path).labels() == [3, 7, 1]
    assert second.labels() == [3, 7, 1]
    first.add_kept(MyDigits.open(path)._kept[:1])
    assert MyDigits.open(path).labels() == [3, 7, 1, 3]


def test_withdrawing_a_digit_takes_out_its_newest_copy_only(tmp_path):
    path = tmp_path / "my.jsonl"
    digits = MyDigits.open(path)
    three = digits.add(seven(), 3)
    digits.add_kept([three])  # the same record twice
    seven_ = digits.add(seven(), 7)
    other = MyDigits.open(path)
    other.add(seven(), 1)  # another window adds meanwhile
    assert digits.withdraw(three)
    assert MyDigits.open(path).labels() == [3, 7, 1]
    assert digits.withdraw(seven_) and not digits.withdraw(seven_)
    assert MyDigits.open(path).labels() == [3, 1]


def test_a_line_added_by_another_program_is_kept(tmp_path):
    path = tmp_path / "my.jsonl"
    digits = MyDigits.open(path)
    digits.add(seven(), 3)
    other = MyDigits(tmp_path / "other.jsonl")
    other.add(seven(), 5)
    with open(path, "a", encoding="utf-8") as f:
        f.write((tmp_path / "other.jsonl").read_text())
    digits.add(seven(), 8)
    assert MyDigits.open(path).labels() == [3, 5, 8]


def test_a_relabel_or_delete_of_a_changed_file_is_refused_and_read_again(tmp_path):
    path = tmp_path / "my.jsonl"
    digits = MyDigits.open(path)
    for label in (1, 2):
        digits.add(seven(), label)
    MyDigits.open(path).delete([0])  # another window: the 2 is now first
    before = path.read_bytes()
    with pytest.raises(DataError, match="changed by another window"):
        digits.delete([1])  # meant the 2, which is no longer at place 1
    assert path.read_bytes() == before and digits.labels() == [2]
    MyDigits.open(path).add(seven(), 6)  # another window again: [2, 6]
    with pytest.raises(DataError, match="changed by another window"):
        digits.relabel([0], 9)
    assert path.read_bytes() != before and digits.labels() == [2, 6]
    digits.relabel([0], 9)  # read again, it acts on what it shows
    assert MyDigits.open(path).labels() == [9, 6]


def test_a_file_where_the_data_folder_should_be_is_a_data_error(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    digits = MyDigits.open(tmp_path / "data" / "my.jsonl")
    with pytest.raises(DataError, match="could not be written"):
        digits.add(seven(), 3)  # once FileExistsError: no message at all
    assert (tmp_path / "data").read_text() == "not a folder"


def test_reading_an_import_stops_when_asked(tmp_path):
    from mnist_canvas.data.my_digits import read_digits

    source = MyDigits.open(tmp_path / "big.jsonl")
    for _ in range(600):
        source.add(seven(), 7)
    asked = []

    def stopping():  # the window closes while the third block is read
        asked.append(True)
        return len(asked) == 3

    with pytest.raises(InterruptedError, match="stopped"):
        read_digits(source.path, stopping)
    assert len(asked) == 3  # asked every 256 digits, not once at the end
    assert len(read_digits(source.path, lambda: False)) == 600
