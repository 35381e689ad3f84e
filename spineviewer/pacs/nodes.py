"""PACS nodes: the servers spineviewer talks to, kept in a settings file without secrets.

A node is DICOMweb (a base URL serving QIDO-RS, WADO-RS and STOW-RS, optionally behind HTTP
basic or bearer authentication) or DIMSE (the PACS's AE title, host and port, and our own
calling AE title). The nodes live in ``$XDG_CONFIG_HOME/spineviewer/pacs.json``
(``~/.config/...`` by default), written atomically. Passwords and tokens never go into that
file: :class:`NodeStore` keeps them in the platform keyring (the ``keyring`` package) when a
usable backend exists, otherwise in memory for the running session only
(:meth:`NodeStore.keyring_available` tells which, so the GUI and the CLI can say so).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from spineviewer.core.safe_write import write_atomically
from spineviewer.core.xdg import xdg_dir

PROTOCOLS = ("dicomweb", "dimse")
AUTHENTICATIONS = ("none", "basic", "bearer")
RETRIEVES = ("c-get", "c-move")

#: Service name of the secrets in the platform keyring (the user name is the node's name).
KEYRING_SERVICE = "spineviewer-pacs"

#: Largest settings file read (a few hundred nodes fit in far less).
MAX_SETTINGS_BYTES = 1_000_000

_AE = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")  # PS3.5 AE: 16 chars, no backslash or control
_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,64}$")


@dataclass(frozen=True)
class PacsNode:
    """One PACS server, validated when built (ValueError saying what is expected).

    Attributes
    ----------
    name : str
        How the user calls it (unique in the store).
    protocol : str
        ``"dicomweb"`` or ``"dimse"``.
    url : str
        DICOMweb base URL (``http(s)://host:port/dicom-web``).
    auth : str
        ``"none"``, ``"basic"`` (user name + password) or ``"bearer"`` (a token).
    username : str
        User name for basic authentication.
    verify_tls : bool
        Check the server's TLS certificate (on unless the user turns it off).
    ae_title, host, port : str, str, int
        The DIMSE peer: its AE title, host name or address, TCP port.
    calling_ae : str
        Our AE title; the PACS administrator registers it (with our host, and for C-MOVE our
        port) for C-GET and C-MOVE.
    retrieve : str
        ``"c-get"`` (default: the images come back on the same association) or ``"c-move"``
        (the PACS opens an association to our storage SCP on ``listen_port``).
    move_destination : str
        The AE title the PACS sends C-MOVE results to (default: ``calling_ae``).
    listen_port : int
        The port of our storage SCP during a C-MOVE.
    """

    name: str
    protocol: str
    url: str = ""
    auth: str = "none"
    username: str = ""
    verify_tls: bool = True
    ae_title: str = ""
    host: str = ""
    port: int = 104
    calling_ae: str = "SPINEVIEWER"
    retrieve: str = "c-get"
    move_destination: str = ""
    listen_port: int = 11112

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.match(self.name.strip() or "/"):
            raise ValueError(f"a node name is 1 to 64 characters without / or \\, got {self.name!r}")
        object.__setattr__(self, "name", self.name.strip())
        _choice(self.protocol, PROTOCOLS, "protocol")
        _choice(self.auth, AUTHENTICATIONS, "authentication")
        _choice(self.retrieve, RETRIEVES, "retrieve")
        for field in ("url", "username", "ae_title", "host", "calling_ae", "move_destination"):
            value = getattr(self, field)
            if not isinstance(value, str) or any(ord(c) < 32 for c in value):
                raise ValueError(f"{field} must be text on one line, got {value!r}")
            object.__setattr__(self, field, value.strip())
        if not isinstance(self.verify_tls, bool):
            raise ValueError(f"verify_tls must be true or false, got {self.verify_tls!r}")
        for field in ("port", "listen_port"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
                raise ValueError(f"{field} must be a TCP port from 1 to 65535, got {value!r}")
        if self.protocol == "dicomweb":
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"a DICOMweb node needs an http:// or https:// URL, got {self.url!r}")
            if parts.username or parts.password:
                raise ValueError("put the user name in the node's username and the password in "
                                 "the keyring, not in the URL")
            if self.auth == "basic" and not self.username:
                raise ValueError("basic authentication needs a username")
        else:
            for field in ("ae_title", "calling_ae"):
                if not _AE.match(getattr(self, field)):
                    raise ValueError(f"{field} must be 1 to 16 printable characters, "
                                     f"got {getattr(self, field)!r}")
            if self.move_destination and not _AE.match(self.move_destination):
                raise ValueError(f"move_destination must be an AE title, got {self.move_destination!r}")
            if not self.host:
                raise ValueError("a DIMSE node needs a host")

    @property
    def needs_secret(self) -> bool:
        """True when the node authenticates with a password or a token."""
        return self.protocol == "dicomweb" and self.auth != "none"

    @property
    def address(self) -> str:
        """The URL, or ``AE@host:port``: what messages show besides the name."""
        if self.protocol == "dicomweb":
            return self.url
        return f"{self.ae_title}@{self.host}:{self.port}"

    def to_json(self) -> dict:
        """The settings of the node (never a secret: a node holds none)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, value) -> "PacsNode":
        """A node from :meth:`to_json`'s dict; ValueError when it is not one."""
        if not isinstance(value, dict):
            raise ValueError("a node is a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown node settings {sorted(unknown)}")
        try:
            return cls(**value)
        except TypeError as exc:
            raise ValueError(str(exc)) from None


def _choice(value, choices, what):
    if value not in choices:
        raise ValueError(f"{what} must be one of {list(choices)}, got {value!r}")


def settings_path() -> Path:
    """``$XDG_CONFIG_HOME/spineviewer/pacs.json`` (``~/.config`` by default)."""
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "spineviewer" / "pacs.json"


class NodeStore:
    """The PACS nodes of this user, and their secrets.

    Parameters
    ----------
    path : path-like, optional
        The settings file (default :func:`settings_path`).
    use_keyring : bool, optional
        False keeps secrets in memory only (tests, a machine without a keyring); by default the
        platform keyring is used when a usable backend exists.
    """

    def __init__(self, path=None, *, use_keyring: bool | None = None):
        self.path = Path(path) if path is not None else settings_path()
        self._memory: dict[str, str] = {}
        self._keyring = _usable_keyring() if use_keyring in (None, True) else None

    def keyring_available(self) -> bool:
        """True when secrets go to the platform keyring; False: kept for this session only."""
        return self._keyring is not None

    def nodes(self) -> list[PacsNode]:
        """Every node, sorted by name; ValueError naming the file when it cannot be read."""
        return sorted(self._read().values(), key=lambda node: node.name.lower())

    def node(self, name: str) -> PacsNode:
        """The node called ``name``; KeyError when there is none."""
        nodes = self._read()
        if name not in nodes:
            known = ", ".join(sorted(nodes)) or "none"
            raise KeyError(f"no PACS node {name!r} (known: {known})")
        return nodes[name]

    def save(self, node: PacsNode) -> None:
        """Add ``node``, or replace the node of the same name."""
        nodes = self._read()
        nodes[node.name] = node
        self._write(nodes)

    def remove(self, name: str) -> None:
        """Remove the node and its secret; KeyError when there is none."""
        nodes = self._read()
        if name not in nodes:
            raise KeyError(f"no PACS node {name!r}")
        del nodes[name]
        self._write(nodes)
        self.set_secret(name, None)

    def secret(self, name: str) -> str | None:
        """The password or token of node ``name``, or None when none is stored."""
        if name in self._memory:
            return self._memory[name]
        if self._keyring is not None:
            try:
                return self._keyring.get_password(KEYRING_SERVICE, name)
            except Exception:  # a locked or broken keyring: as if nothing were stored
                return None
        return None

    def set_secret(self, name: str, secret: str | None) -> None:
        """Store (or with None / '' forget) the secret of node ``name``."""
        self._memory.pop(name, None)
        if self._keyring is not None:
            try:
                if secret:
                    self._keyring.set_password(KEYRING_SERVICE, name, secret)
                else:
                    try:
                        self._keyring.delete_password(KEYRING_SERVICE, name)
                    except Exception:
                        pass
                return
            except Exception:  # the keyring refused: keep it for this session
                pass
        if secret:
            self._memory[name] = secret

    def _read(self) -> dict[str, PacsNode]:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ValueError(f"{self.path} cannot be read ({exc.strerror})") from None
        if not self.path.is_file() or size > MAX_SETTINGS_BYTES:
            raise ValueError(f"{self.path} is not a PACS settings file")
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(value, dict) or not isinstance(value.get("nodes"), list):
                raise ValueError("no list of nodes")
            nodes = [PacsNode.from_json(entry) for entry in value["nodes"]]
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"{self.path} cannot be used ({exc})") from None
        return {node.name: node for node in nodes}

    def _write(self, nodes: dict[str, PacsNode]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ordered = sorted(nodes.values(), key=lambda node: node.name.lower())
        text = json.dumps({"version": 1, "nodes": [n.to_json() for n in ordered]}, indent=2)
        write_atomically(self.path, (text + "\n").encode("utf-8"))


def _usable_keyring():
    """The platform keyring backend, or None when only a failing or null backend exists."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, (fail.Keyring, null.Keyring)):
            return None
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return None
        if getattr(backend, "priority", 1) <= 0:
            return None
        return backend
    except Exception:
        return None
