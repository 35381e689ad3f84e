"""PACS nodes: validation, the settings file (never a secret in it), secrets kept per session."""

from __future__ import annotations

import json

import pytest

from spineviewer.pacs.nodes import NodeStore, PacsNode


def web(**values) -> PacsNode:
    return PacsNode(**{"name": "hospital", "protocol": "dicomweb",
                       "url": "https://pacs.example.org/dicom-web", **values})


class TestPacsNode:
    def test_dicomweb_defaults_verify_tls(self):
        """A DICOMweb node verifies TLS certificates unless told otherwise."""
        assert web().verify_tls is True
        assert web().needs_secret is False
        assert web(auth="bearer").needs_secret is True

    @pytest.mark.parametrize("values, expected", [
        ({"url": "ftp://x"}, "http:// or https://"),
        ({"url": "https://user:pw@host/dicom-web"}, "not in the URL"),
        ({"auth": "basic"}, "needs a username"),
        ({"auth": "kerberos"}, "authentication must be one of"),
        ({"name": "a/b"}, "node name"),
        ({"protocol": "ftp"}, "protocol must be one of"),
    ])
    def test_refuses_bad_dicomweb_settings(self, values, expected):
        """Each invalid setting is refused with a message saying what is expected."""
        with pytest.raises(ValueError, match=expected):
            web(**values)

    @pytest.mark.parametrize("values, expected", [
        ({"ae_title": ""}, "ae_title"),
        ({"ae_title": "X" * 17}, "ae_title"),
        ({"ae_title": "A\\B"}, "ae_title"),
        ({"ae_title": "PACS", "host": ""}, "needs a host"),
        ({"ae_title": "PACS", "port": 0}, "TCP port"),
        ({"ae_title": "PACS", "port": True}, "TCP port"),
        ({"ae_title": "PACS", "retrieve": "c-fetch"}, "retrieve must be one of"),
    ])
    def test_refuses_bad_dimse_settings(self, values, expected):
        """AE titles are 1-16 printable characters without backslash; ports 1-65535."""
        with pytest.raises(ValueError, match=expected):
            PacsNode(**{"name": "d", "protocol": "dimse", "host": "10.0.0.1", **values})

    def test_address_names_the_peer(self):
        """Messages show the URL, or AE@host:port."""
        node = PacsNode(name="d", protocol="dimse", ae_title="PACS", host="10.0.0.1", port=11112)
        assert node.address == "PACS@10.0.0.1:11112"


class TestNodeStore:
    def test_round_trip_without_secret_in_the_file(self, tmp_path):
        """Nodes survive a new store; the password is never written to the settings file."""
        store = NodeStore(tmp_path / "pacs.json", use_keyring=False)
        node = web(auth="basic", username="reader")
        store.save(node)
        store.set_secret("hospital", "s3cret-Passw0rd")
        again = NodeStore(tmp_path / "pacs.json", use_keyring=False)
        assert again.nodes() == [node]
        assert "s3cret" not in (tmp_path / "pacs.json").read_text()
        assert store.secret("hospital") == "s3cret-Passw0rd"
        assert again.secret("hospital") is None  # memory only: this session

    def test_remove_forgets_node_and_secret(self, tmp_path):
        """Removing a node removes its secret too; removing it twice is a KeyError."""
        store = NodeStore(tmp_path / "pacs.json", use_keyring=False)
        store.save(web(auth="bearer"))
        store.set_secret("hospital", "token")
        store.remove("hospital")
        assert store.nodes() == [] and store.secret("hospital") is None
        with pytest.raises(KeyError):
            store.remove("hospital")

    def test_unknown_node_lists_the_known(self, tmp_path):
        """Asking for an unknown node names the known ones."""
        store = NodeStore(tmp_path / "pacs.json", use_keyring=False)
        store.save(web())
        with pytest.raises(KeyError, match="hospital"):
            store.node("other")

    @pytest.mark.parametrize("content", ["{", "[]", '{"nodes": [{"name": "x"}]}',
                                         '{"nodes": [{"name": "x", "protocol": "dicomweb", '
                                         '"url": "https://h", "password": "p"}]}'])
    def test_damaged_settings_file_is_a_clear_error(self, tmp_path, content):
        """A settings file that is not one gives ValueError naming it."""
        path = tmp_path / "pacs.json"
        path.write_text(content)
        with pytest.raises(ValueError, match="pacs.json"):
            NodeStore(path, use_keyring=False).nodes()

    def test_default_path_follows_xdg_config_home(self, tmp_path, monkeypatch):
        """The settings live in $XDG_CONFIG_HOME/spineviewer/pacs.json."""
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
        store = NodeStore(use_keyring=False)
        store.save(web())
        saved = json.loads((tmp_path / "spineviewer" / "pacs.json").read_text())
        assert saved["nodes"][0]["url"] == "https://pacs.example.org/dicom-web"

    def test_keyring_used_when_a_backend_is_usable(self, tmp_path, monkeypatch):
        """With a working keyring backend, secrets go there and outlive the store."""
        import keyring
        from keyring.backend import KeyringBackend
        from keyring.backends import null

        class MemoryKeyring(KeyringBackend):
            priority = 1
            saved: dict = {}

            def get_password(self, service, username):
                return self.saved.get((service, username))

            def set_password(self, service, username, password):
                self.saved[(service, username)] = password

            def delete_password(self, service, username):
                self.saved.pop((service, username), None)

        keyring.set_keyring(MemoryKeyring())
        try:
            store = NodeStore(tmp_path / "pacs.json")
            assert store.keyring_available()
            store.set_secret("hospital", "pw")
            assert NodeStore(tmp_path / "pacs.json").secret("hospital") == "pw"
            assert MemoryKeyring.saved == {("spineviewer-pacs", "hospital"): "pw"}
        finally:
            keyring.set_keyring(null.Keyring())  # as tests/pacs/conftest.py has it

    def test_no_usable_keyring_keeps_secrets_in_memory(self, tmp_path):
        """With only the null backend, the store says so and keeps secrets for the session."""
        import keyring
        from keyring.backends import null

        keyring.set_keyring(null.Keyring())
        store = NodeStore(tmp_path / "pacs.json")
        assert not store.keyring_available()
        store.set_secret("hospital", "pw")
        assert store.secret("hospital") == "pw"
