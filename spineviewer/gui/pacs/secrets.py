"""The password or token of a PACS node, asked for when none is stored.

Without a system keyring, :class:`~spineviewer.pacs.nodes.NodeStore` keeps secrets for the
running session only; the next session asks again, once, and keeps the answer the same way.
"""

from __future__ import annotations

from typing import Literal

from PyQt6.QtWidgets import QInputDialog, QLineEdit, QWidget

from spineviewer.pacs.nodes import NodeStore, PacsNode


def secret_for(store: NodeStore, node: PacsNode, parent: QWidget | None) -> str | None | Literal[False]:
    """The node's secret: the stored one, else asked (None: the node needs none; False: the
    reader cancelled the question)."""
    if not node.needs_secret:
        return None
    secret = store.secret(node.name)
    if secret:
        return secret
    what = "token" if node.auth == "bearer" else f"password of {node.username}"
    text, ok = QInputDialog.getText(parent, f"{node.name}", f"The {what} on {node.name}:",
                                    QLineEdit.EchoMode.Password)
    if not ok or not text:
        return False
    store.set_secret(node.name, text)
    return text
