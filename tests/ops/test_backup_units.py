"""The systemd units: the web service and the nightly backup hardened like the jobs unit, the
backup running `backup`, and every unit valid for systemd."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
HARDENING = ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome",
             "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
             "ProtectControlGroups", "RestrictAddressFamilies", "CapabilityBoundingSet",
             "LockPersonality", "RestrictRealtime", "SystemCallArchitectures", "UMask",
             "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset", "RestrictNamespaces",
             "RestrictSUIDSGID", "RemoveIPC", "SystemCallFilter", "SystemCallErrorNumber")


def directives(name: str) -> dict[str, str]:
    out = {}
    for line in (ROOT / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), value.strip())
    return out


def test_the_backup_service_is_hardened_like_the_jobs_service_and_runs_backup():
    jobs, backup = directives("shelter-jobs.service"), directives("shelter-backup.service")
    for key in HARDENING:
        assert backup.get(key) == jobs[key], key
    assert backup["User"] == "shelter" and backup["Type"] == "oneshot"
    assert "manage.py backup" in backup["ExecStart"]
    assert "/var/backups/shelter" in backup["ReadWritePaths"].split()


def test_the_backup_timer_starts_the_service_nightly():
    timer = directives("shelter-backup.timer")
    assert timer["Unit"] == "shelter-backup.service"
    assert timer["OnCalendar"].endswith("02:15:00") and timer["Persistent"] == "true"


def test_the_web_service_is_hardened_like_the_jobs_service():
    jobs, web = directives("shelter-jobs.service"), directives("shelter-web.service")
    for key in HARDENING:
        assert web.get(key) == jobs[key], key
    assert jobs["SystemCallFilter"] == "@system-service"
    assert "SystemCallFilter=~@privileged @resources" in (ROOT / "shelter-web.service").read_text()
    assert web["ProtectProc"] == "invisible" and web["CapabilityBoundingSet"] == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_reads_every_unit_without_a_complaint():
    units = sorted(str(p) for p in ROOT.iterdir() if p.suffix in {".service", ".timer"})
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *units],
                          capture_output=True, text=True, timeout=120)
    # Paths of this machine (no /opt/shelter, no shelter user) are not the units' fault.
    complaints = [line for line in (done.stdout + done.stderr).splitlines()
                  if line.strip() and not any(skip in line for skip in (
                      "/opt/shelter", "Failed to resolve user", "shelter.env", "User=",
                      "Group=", "not executable", "No such file", "ReadWritePaths"))]
    assert not complaints, complaints
