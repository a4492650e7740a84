"""How the jail reads and writes a cgroup, checked against a cgroup directory laid out as
the kernel lays it out (the v2 path cannot run on this project's CI machine, whose memory
and pids controllers are cgroup v1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtui.jail import cgroups


@pytest.fixture
def delegated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cgroup v2 mount whose lab cgroup hands memory and pids to its children."""
    own = tmp_path / "user.slice" / "lab"
    own.mkdir(parents=True)
    (own / "cgroup.subtree_control").write_text("cpu memory pids\n")
    monkeypatch.setattr(cgroups, "_v2_mount", lambda: tmp_path)
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"": "/user.slice/lab"})
    return own


def test_a_delegated_v2_cgroup_gets_the_limits(delegated: Path) -> None:
    made = cgroups.create(hard_mb=900, max_tasks=66)
    assert made is not None and made.version == 2
    directory = made.directories["memory"]
    assert directory.parent == delegated and directory.name.startswith("labtui-")
    assert (directory / "memory.max").read_text() == str(900 * 1024 * 1024)
    assert (directory / "memory.swap.max").read_text() == "0"
    assert (directory / "pids.max").read_text() == "66"
    assert made.procs_files == [str(directory / "cgroup.procs")]


def test_v2_memory_and_oom_kills_are_read_from_the_kernels_files(delegated: Path) -> None:
    made = cgroups.create(hard_mb=900, max_tasks=66)
    assert made is not None
    directory = made.directories["memory"]
    (directory / "memory.stat").write_text(f"anon {300 * 1024 * 1024}\nfile {999 * 1024 * 1024}\n"
                                           f"shmem {500 * 1024 * 1024}\n")
    (directory / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n")
    assert made.anon_mb() == 300  # /tmp files (shmem) and page cache are not MemorySize
    assert made.oom_kills() == 1


def test_no_delegation_means_no_v2_cgroup(delegated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (delegated / "cgroup.subtree_control").write_text("cpu\n")
    monkeypatch.setattr(cgroups, "_v1", lambda *args: None)
    assert cgroups.create(hard_mb=900, max_tasks=66) is None


def test_v1_memory_counts_rss_and_swap_of_the_whole_hierarchy(tmp_path: Path) -> None:
    memory, pids = tmp_path / "memory", tmp_path / "pids"
    memory.mkdir()
    pids.mkdir()
    (memory / "memory.stat").write_text(
        f"rss 1\ntotal_rss {200 * 1024 * 1024}\ntotal_swap {56 * 1024 * 1024}\n"
        f"total_shmem {400 * 1024 * 1024}\n"
    )
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    tree = cgroups.TreeCgroup(1, {"memory": memory, "pids": pids})
    assert tree.anon_mb() == 256
    assert tree.oom_kills() == 2
    assert tree.procs_files == [str(memory / "cgroup.procs"), str(pids / "cgroup.procs")]
