"""The nginx example is valid nginx (`nginx -t`), read as a sites-enabled file is: inside the
http block, with the certificate and log paths pointed at a folder of the test's own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .stack import self_signed

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
EXAMPLE = ROOT / "deploy" / "nginx.conf.example"


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_the_example_passes_nginx_t(tmp_path):
    cert, key = self_signed(tmp_path)
    site = (EXAMPLE.read_text()
            .replace("/etc/ssl/shelter/fullchain.pem", str(cert))
            .replace("/etc/ssl/shelter/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "shelter.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/shelter.conf;\n}}\n")
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_the_example_keeps_what_the_site_relies_on():
    text = EXAMPLE.read_text()
    for line in ["proxy_request_buffering off;", "proxy_max_temp_file_size 0;",
                 "client_max_body_size 101m;", "error_log /var/log/nginx/shelter.error.log crit;",
                 "client_body_timeout 30s;", "limit_req zone=shelter_probes",
                 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains"',
                 "proxy_set_header X-Forwarded-For $remote_addr;"]:
        assert line in text, line
    # No query string in the access log format.
    log_format = text.split("log_format shelter", 1)[1].split(";", 1)[0]
    assert "$request " not in log_format and "$args" not in log_format
    assert "$request_uri" not in log_format
