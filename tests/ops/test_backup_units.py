"""The nightly backup's systemd units: hardened like the jobs unit, and running `backup`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
HARDENING = ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome",
             "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
             "ProtectControlGroups", "RestrictAddressFamilies", "CapabilityBoundingSet",
             "LockPersonality", "RestrictRealtime", "SystemCallArchitectures", "UMask")


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
