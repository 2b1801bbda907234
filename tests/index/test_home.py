"""index/home.py: the data directory, atomic generation swaps and the ingestion lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from beleidsbron.index.home import KEEP_GENERATIONS, BusyError, DataHome


def generation(home: DataHome, content: str) -> Path:
    path = home.new_generation()
    (path / "manifest.json").write_text(content, encoding="utf-8")
    (path / "sub").mkdir()
    (path / "sub" / "data.bin").write_bytes(content.encode())
    return path


def gens(home: DataHome) -> list[Path]:
    return sorted(p for p in home.index_root.iterdir() if p.name.startswith("gen-"))


def test_home_holds_models_and_index(data_home: DataHome) -> None:
    assert data_home.models_dir == data_home.root / "models"
    assert data_home.index_root == data_home.root / "index"


def test_no_index_yet(data_home: DataHome) -> None:
    assert data_home.current() is None


def test_a_new_generation_is_not_current_until_committed(data_home: DataHome) -> None:
    path = generation(data_home, "eerste")
    assert path.name.startswith("tmp-") and path.is_dir()
    assert data_home.current() is None
    final = data_home.commit(path)
    assert final.name.startswith("gen-") and not path.exists()
    assert data_home.current() == final
    assert (final / "manifest.json").read_text(encoding="utf-8") == "eerste"
    assert os.path.islink(data_home.index_root / "current")
    assert os.readlink(data_home.index_root / "current") == final.name  # relative: the home may move


def test_commit_swaps_current(data_home: DataHome) -> None:
    first = data_home.commit(generation(data_home, "een"))
    second = data_home.commit(generation(data_home, "twee"))
    assert first != second
    assert data_home.current() == second
    assert (data_home.current() / "manifest.json").read_text(encoding="utf-8") == "twee"
    assert first.is_dir()  # kept for readers still on it


def test_old_generations_are_pruned_keeping_current_and_the_one_before(data_home: DataHome) -> None:
    committed = [data_home.commit(generation(data_home, str(i))) for i in range(5)]
    assert KEEP_GENERATIONS == 2
    assert gens(data_home) == sorted(committed[-2:])
    assert data_home.current() == committed[-1]


@pytest.mark.parametrize("rounds", [3, 6])
def test_pruning_follows_commit_order_within_one_second(data_home: DataHome, rounds: int) -> None:
    # Generations made within the same second must still be pruned oldest first.
    previous = data_home.commit(generation(data_home, "start"))
    for i in range(rounds):
        current = data_home.commit(generation(data_home, str(i)))
        assert set(gens(data_home)) == {previous, current}
        previous = current


def test_leftovers_of_a_crashed_ingestion_are_removed_on_next_commit(data_home: DataHome) -> None:
    first = data_home.commit(generation(data_home, "een"))
    crashed = generation(data_home, "half geschreven")
    assert crashed.is_dir()
    second = data_home.commit(generation(data_home, "twee"))
    assert not crashed.exists()
    assert not list(data_home.index_root.glob("tmp-*"))
    assert set(gens(data_home)) == {first, second}


def test_a_dangling_current_link_reads_as_no_index(data_home: DataHome) -> None:
    final = data_home.commit(generation(data_home, "een"))
    final.rename(final.with_name("elders"))
    assert data_home.current() is None


# the ingestion lock ------------------------------------------------------------------------
def test_lock_refuses_a_second_holder(data_home: DataHome) -> None:
    with data_home.ingest_lock():
        with pytest.raises(BusyError, match="another ingestion is running") as caught:
            with DataHome(data_home.root).ingest_lock():
                pass
        assert str(data_home.root / "ingest.lock") in str(caught.value)
    with data_home.ingest_lock():  # free again
        pass


def test_lock_is_released_when_the_ingestion_fails(data_home: DataHome) -> None:
    with pytest.raises(RuntimeError):
        with data_home.ingest_lock():
            raise RuntimeError("kapot")
    with data_home.ingest_lock():
        pass


def test_lock_refuses_another_process(data_home: DataHome) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.home import BusyError, DataHome\n"
        "try:\n"
        "    with DataHome(Path(sys.argv[1])).ingest_lock():\n"
        "        print('acquired')\n"
        "except BusyError as exc:\n"
        "    print('busy:', exc)\n"
    )

    def other() -> str:
        done = subprocess.run([sys.executable, "-c", script, str(data_home.root)], capture_output=True,
                              text=True, timeout=60, check=True)
        return done.stdout.strip()

    with data_home.ingest_lock():
        assert other().startswith("busy: ")
    assert other() == "acquired"
