"""`coach data split` (made once; later batches join dev, never test) and `coach data good`."""
import json

import pytest

from coach import training


def _reply(id_, lang="fr", verdict="send"):
    return {"id": id_, "lang": lang, "reply": "Bonjour", "expected": {"verdict": verdict, "checks": {}}}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    (tmp_path / "replies" / "fr").mkdir(parents=True)
    monkeypatch.setattr(training, "DATA", tmp_path)
    return tmp_path


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _ids(path):
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()}


def test_split_is_made_once_and_new_replies_only_join_dev(data_dir):
    first = [_reply(f"fr-r-{i:04d}", verdict=("send", "block")[i % 2]) for i in range(20)]
    _write(data_dir / "replies" / "fr" / "replies.jsonl", first)
    counts = training.split_replies()
    assert counts["dev"] + counts["test"] == 20
    test_before = _ids(data_dir / "replies" / "test.jsonl")
    with pytest.raises(FileExistsError):
        training.split_replies()

    _write(data_dir / "replies" / "fr" / "later.jsonl", [_reply(f"fr-f-{i:04d}") for i in range(5)])
    with pytest.raises(FileExistsError, match="5 new replies"):
        training.split_replies()
    counts = training.split_replies(add_new_to_dev=True)
    assert counts["added"] == 5
    assert _ids(data_dir / "replies" / "test.jsonl") == test_before
    dev = _ids(data_dir / "replies" / "dev.jsonl")
    assert {f"fr-f-{i:04d}" for i in range(5)} <= dev and not dev & test_before
    record = json.loads((data_dir / "replies" / "split.json").read_text(encoding="utf-8"))
    assert record["added_to_dev"] == [f"fr-f-{i:04d}" for i in range(5)]
    with pytest.raises(FileExistsError):  # nothing new left to add
        training.split_replies(add_new_to_dev=True)


def test_good_replies_folder_holds_exactly_the_dev_replies_labelled_send(data_dir):
    rows = [dict(_reply("fr-r-0001"), incoming="Mon colis ?"), _reply("fr-r-0002", verdict="block")]
    _write(data_dir / "replies" / "dev.jsonl", rows)
    stale = data_dir / "good" / "fr" / "fr-r-0099.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("left from an older dev", encoding="utf-8")
    assert training.export_good_replies() == {"fr": 1}
    assert sorted(p.name for p in (data_dir / "good" / "fr").iterdir()) == ["fr-r-0001.incoming.txt", "fr-r-0001.txt"]
    assert (data_dir / "good" / "fr" / "fr-r-0001.txt").read_text(encoding="utf-8") == "Bonjour"
