"""What the scripts that start servers write for them (configuration files, a temporary
stack's database) is removed when the servers stop, so repeated test and benchmark runs
do not fill the disk."""

import subprocess

from tools import scaleout, servers


def test_stopping_a_server_removes_the_files_written_for_it(tmp_path):
    config_dir = tmp_path / "kratom-rasa-x"
    config_dir.mkdir()
    (config_dir / "endpoints.yml").write_text("{}")
    process = subprocess.Popen(["sleep", "30"], start_new_session=True)
    process.config_dir = config_dir
    servers.stop(process)
    assert process.returncode is not None
    assert not config_dir.exists()


def test_a_server_that_already_exited_still_has_its_files_removed(tmp_path):
    process = subprocess.Popen(["true"], start_new_session=True)
    process.wait()
    process.config_dir = tmp_path / "kratom-rasa-y"
    process.config_dir.mkdir()
    servers.stop(process)
    assert not process.config_dir.exists()


def test_a_temporary_stack_directory_goes_with_the_shared_directory_it_points_to(tmp_path):
    workdir, shared = tmp_path / "work", tmp_path / "shared"
    (shared / "postgres").mkdir(parents=True)
    workdir.mkdir()
    (workdir / "shared-dir").write_text(f"{shared}\n")
    scaleout.remove_workdir(workdir)
    assert not workdir.exists() and not shared.exists()
