"""HTTP sessions that honour the environment users already configure for other tools."""

from __future__ import annotations

import os

import requests

import ovzoo


def new_session() -> requests.Session:
    """A requests session for one worker thread (sessions are not thread-safe).

    ``trust_env`` (requests' default, kept on) reads HTTP_PROXY/HTTPS_PROXY/NO_PROXY and the CA
    bundles REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE; SSL_CERT_FILE, which OpenSSL-based tools use
    and requests ignores, is the fallback when neither is set.
    """
    session = requests.Session()
    session.trust_env = True
    ca_file = os.environ.get("SSL_CERT_FILE")
    if ca_file:
        session.verify = ca_file  # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE still take precedence
    session.headers["User-Agent"] = f"ovzoo/{ovzoo.__version__} {requests.utils.default_user_agent()}"
    return session
