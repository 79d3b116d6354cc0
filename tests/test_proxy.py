"""Sign-in through a real reverse proxy: Debian's nginx on loopback signs a user in (HTTP basic here,
where a municipality's proxy would use Entra ID or AD FS) and forwards the user and group headers from
its own address, 127.0.0.2; the app trusts them from there only. Skipped, saying why, without nginx
(`apt-get install nginx-light`)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import build_index

from .conftest import FakeEmbedder, free_port, launch_fake_app

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="Debian's nginx is not installed (apt-get install nginx-light)")

ACCESS = """[proxy]
trusted = ["127.0.0.2"]
user_header = "X-Forwarded-User"
groups_header = "X-Forwarded-Groups"
[proxy.roles]
"klynge-editors" = "editor"
"""

NGINX_CONF = """daemon off;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  map $remote_user $groups {{ anna "alle,klynge-editors"; default "alle"; }}
  server {{
    listen 127.0.0.1:{port};
    auth_basic "klynge"; auth_basic_user_file {tmp}/htpasswd;
    location / {{
      proxy_pass http://127.0.0.1:{app};
      proxy_bind 127.0.0.2;
      proxy_set_header X-Forwarded-User $remote_user;
      proxy_set_header X-Forwarded-Groups $groups;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("proxy")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "referat.md").write_text("# Referat\n\nBorgmesteren indkalder til møderne.\n", encoding="utf-8")
    index = tmp / "index"
    build_index(corpus, index, FakeEmbedder(), progress=False)
    Path(f"{index}.access.toml").write_text(ACCESS, encoding="utf-8")
    app, app_url = launch_fake_app(index, corpus)
    port = free_port()
    (tmp / "htpasswd").write_text("anna:{PLAIN}anna-kode\nbo:{PLAIN}bo-kode\n", encoding="utf-8")  # nginx's plain scheme
    conf = tmp / "nginx.conf"
    # as root, nginx's workers would drop to a user who cannot read the test's private folder
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, app=app_url.rsplit(":", 1)[1].strip("/"), user=user),
                    encoding="utf-8")
    proxy = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(tmp)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for_proxy(proxy, f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}/", app_url
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(10)
        app.wait(30)


def wait_for_proxy(proc: subprocess.Popen, url: str) -> None:
    import time
    import urllib.error
    import urllib.request

    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=2)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:  # listening, and asking for a sign-in
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not answer")


def _whoami(url: str, headers: dict[str, str]) -> dict:
    from gradio_client import Client

    return Client(url, headers=headers, verbose=False).predict(api_name="/whoami")


def _basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_the_proxys_sign_in_names_the_user_and_their_role(proxied: tuple[str, str]) -> None:
    via_proxy, _ = proxied
    assert _whoami(via_proxy, _basic("anna", "anna-kode")) == {"user": "anna", "role": "editor"}
    assert _whoami(via_proxy, _basic("bo", "bo-kode")) == {"user": "bo", "role": "reader"}


def test_a_header_sent_straight_to_the_app_is_ignored(proxied: tuple[str, str]) -> None:
    _, direct = proxied
    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "klynge-editors", "X-Forwarded-For": "127.0.0.2"}
    assert _whoami(direct, forged) == {"user": None, "role": None}
    from gradio_client import Client

    with pytest.raises(Exception, match="sign in"):  # and nobody signed in may not ask
        Client(direct, headers=forged, verbose=False).predict("Hvem indkalder?", 3, "", api_name="/ask")


def test_the_mcp_tools_follow_the_proxys_sign_in(proxied: tuple[str, str]) -> None:
    """/mcp through the proxy answers its signed-in user; straight to the app, forged headers get 401."""
    import asyncio

    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    from .test_mcp import post_tools_list

    via_proxy, direct = proxied

    async def documents() -> list[str]:
        async with create_mcp_http_client(headers=_basic("bo", "bo-kode")) as http, \
                Client(streamable_http_client(via_proxy + "mcp", http_client=http)) as client:
            result = await client.call_tool("list_documents", {})
            return [d["doc_id"] for d in (result.structured_content or {})["documents"]]

    assert asyncio.run(documents()) == ["referat"]
    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "klynge-editors"}
    status, _, body = post_tools_list(direct, forged)
    assert status == 401 and "sign in" in body["error"]
