"""Preferences > PACS servers: add, edit, test and remove the PACS nodes.

A node is DICOMweb (a base URL serving QIDO-RS, WADO-RS and STOW-RS, with no, basic or bearer
authentication, TLS certificates checked unless turned off) or DIMSE (the PACS's AE title, host
and port, our own AE title, C-GET or C-MOVE). The nodes are kept by
:class:`~spineviewer.pacs.nodes.NodeStore` in its settings file, shared with ``spineviewer
pacs``; passwords and tokens go to :meth:`NodeStore.set_secret` (the system keyring, or memory
for this session when there is none, which the page says), never to a settings file. *Test*
runs a C-ECHO, or a QIDO-RS query for DICOMweb, in the background and shows the answer below.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem,
    QMessageBox, QPushButton, QSpinBox, QStackedWidget, QVBoxLayout, QWidget,
)

from spineviewer.gui.pacs.outcome import Outcome, submit
from spineviewer.gui.pacs.status_line import StatusLine
from spineviewer.gui.shell.background import BackgroundWork
from spineviewer.pacs.nodes import NodeStore, PacsNode

#: What the protocol selector says of each protocol.
PROTOCOL_LABELS = {"dicomweb": "DICOMweb (QIDO-RS, WADO-RS, STOW-RS)",
                   "dimse": "DIMSE (C-FIND, C-GET / C-MOVE, C-STORE)"}
AUTH_LABELS = {"none": "None", "basic": "HTTP basic (user name and password)",
               "bearer": "Bearer token"}
RETRIEVE_LABELS = {"c-get": "C-GET (images come back on the same connection)",
                   "c-move": "C-MOVE (the PACS sends to our AE title and port)"}
#: Seconds a test waits for the server.
TEST_TIMEOUT_S = 10


def _combo(labels: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    for value, label in labels.items():
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class ServersPage(QWidget):
    """The list of PACS nodes and the form of the one selected (or being added).

    Parameters
    ----------
    store : NodeStore
    work : BackgroundWork
        Where the Test runs.
    """

    def __init__(self, store: NodeStore, work: BackgroundWork, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pacsServers")
        self.store, self.work = store, work
        #: The name of the node the form shows (None: a new node, not saved yet).
        self.editing: str | None = None
        self._test_generation = 0
        self.list = QListWidget()
        self.list.setObjectName("pacsNodeList")
        self.list.setSpacing(3)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.currentItemChanged.connect(self._chosen)
        self.add_web = QPushButton("Add DICOMweb")
        self.add_dimse = QPushButton("Add DIMSE")
        self.remove_button = QPushButton("Remove")
        self.add_web.clicked.connect(lambda: self.new_node("dicomweb"))
        self.add_dimse.clicked.connect(lambda: self.new_node("dimse"))
        self.remove_button.clicked.connect(self.ask_remove)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        adding = QHBoxLayout()
        adding.addWidget(self.add_web)
        adding.addWidget(self.add_dimse)
        left.addLayout(adding)
        left.addWidget(self.remove_button)

        self.name = QLineEdit()
        self.name.setPlaceholderText("how you call this server, e.g. Hospital PACS")
        self.protocol = _combo(PROTOCOL_LABELS)
        self.protocol.currentIndexChanged.connect(self._protocol_changed)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._web_form())
        self.pages.addWidget(self._dimse_form())
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Protocol", self.protocol)
        self._align_labels(form, self.web_form, self.dimse_form)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.test_button = QPushButton("Test")
        self.test_button.setToolTip("Ask the server to answer (C-ECHO, or a QIDO-RS query for DICOMweb)")
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.test_button)
        actions.addWidget(self.save_button)
        self.result = StatusLine("pacsServerResult")
        self.keyring_note = StatusLine("pacsKeyringNote")
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.pages)
        right.addLayout(actions)
        right.addWidget(self.result)
        right.addStretch(1)
        right.addWidget(self.keyring_note)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 7)
        self._say_where_secrets_go()
        self.refresh()

    # -- the two forms ---------------------------------------------------------------------

    def _web_form(self) -> QWidget:
        page = QWidget()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://pacs.example.org/dicom-web")
        self.auth = _combo(AUTH_LABELS)
        self.auth.currentIndexChanged.connect(self._auth_changed)
        self.username = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.verify_tls = QCheckBox("Check the server's TLS certificate")
        self.verify_tls.setChecked(True)
        self.verify_tls.setToolTip("Turn off only for a test server with a self-signed certificate")
        self.web_form = QFormLayout(page)
        self.web_form.setContentsMargins(0, 0, 0, 0)
        self.web_form.addRow("Base URL", self.url)
        self.web_form.addRow("Authentication", self.auth)
        self.web_form.addRow("User name", self.username)
        self.web_form.addRow("Password", self.secret)
        self.web_form.addRow("", self.verify_tls)
        return page

    def _dimse_form(self) -> QWidget:
        page = QWidget()
        self.ae_title = QLineEdit()
        self.ae_title.setMaxLength(16)
        self.ae_title.setPlaceholderText("the PACS's AE title, e.g. ORTHANC")
        self.host = QLineEdit()
        self.host.setPlaceholderText("host name or address")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(104)
        self.port.setMaximumWidth(120)
        self.calling_ae = QLineEdit("SPINEVIEWER")
        self.calling_ae.setMaxLength(16)
        self.calling_ae.setToolTip("Our AE title: the PACS administrator registers it")
        self.retrieve = _combo(RETRIEVE_LABELS)
        self.retrieve.currentIndexChanged.connect(self._retrieve_changed)
        self.move_destination = QLineEdit()
        self.move_destination.setMaxLength(16)
        self.move_destination.setPlaceholderText("our AE title")
        self.listen_port = QSpinBox()
        self.listen_port.setRange(1, 65535)
        self.listen_port.setValue(11112)
        self.listen_port.setMaximumWidth(120)
        self.listen_port.setToolTip("The port the PACS sends C-MOVE results to")
        form = self.dimse_form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("AE title", self.ae_title)
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Our AE title", self.calling_ae)
        form.addRow("Retrieve with", self.retrieve)
        form.addRow("Move destination", self.move_destination)
        form.addRow("Our port (C-MOVE)", self.listen_port)
        return page

    @staticmethod
    def _align_labels(*forms: QFormLayout) -> None:
        """One label column for the forms stacked under each other."""
        labels = [form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
                  for form in forms for row in range(form.rowCount())
                  if form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _say_where_secrets_go(self) -> None:
        if self.store.keyring_available():
            self.keyring_note.show_text("busy", "Passwords and tokens are kept in the system "
                                                "keyring, never in a settings file.")
        else:
            self.keyring_note.show_text("note", "No system keyring is available: passwords and "
                                                "tokens are kept for this session only (never "
                                                "written to disk) and asked again next time.")

    def _protocol_changed(self) -> None:
        self.pages.setCurrentIndex(0 if self.protocol.currentData() == "dicomweb" else 1)
        self._auth_changed()

    def _auth_changed(self) -> None:
        auth = self.auth.currentData()
        self.username.setEnabled(auth == "basic")
        self.secret.setEnabled(auth != "none")
        label = self.web_form.labelForField(self.secret)
        if label is not None:
            label.setText("Token" if auth == "bearer" else "Password")

    def _retrieve_changed(self) -> None:
        moving = self.retrieve.currentData() == "c-move"
        self.move_destination.setEnabled(moving)
        self.listen_port.setEnabled(moving)

    # -- the list --------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Show the stored nodes; select ``select`` (or the first)."""
        self.list.blockSignals(True)
        self.list.clear()
        try:
            nodes = self.store.nodes()
        except ValueError as exc:
            nodes = []
            self.result.show_text("error", str(exc))
        for node in nodes:
            item = QListWidgetItem(f"{node.name}\n{node.address}")
            item.setData(Qt.ItemDataRole.UserRole, node.name)
            item.setToolTip(f"{PROTOCOL_LABELS[node.protocol]}\n{node.address}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        names = [node.name for node in nodes]
        row = names.index(select) if select in names else 0
        if names:
            self.list.setCurrentRow(row)
            self._chosen(self.list.currentItem())
        else:
            self.new_node("dicomweb")
        self.remove_button.setEnabled(bool(names))

    def _chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        try:
            node = self.store.node(item.data(Qt.ItemDataRole.UserRole))
        except (KeyError, ValueError) as exc:
            self.result.show_text("error", str(exc).strip("'\""))
            return
        self.show_node(node)

    def new_node(self, protocol: str) -> None:
        """An empty form for a new node of ``protocol``."""
        self.list.clearSelection()
        self.show_node(None, protocol)
        self.name.setFocus()

    def show_node(self, node: PacsNode | None, protocol: str = "dicomweb") -> None:
        """Fill the form with ``node`` (None: the defaults of a new node of ``protocol``)."""
        self.editing = node.name if node is not None else None
        default = PacsNode("new", protocol, url="http://localhost", ae_title="PACS", host="localhost")
        shown = node or default
        self.name.setText(node.name if node is not None else "")
        _select(self.protocol, shown.protocol)
        self.url.setText(node.url if node is not None else "")
        _select(self.auth, shown.auth)
        self.username.setText(shown.username)
        self.secret.clear()
        stored = node is not None and node.needs_secret and bool(self.store.secret(node.name))
        self.secret.setPlaceholderText("stored (leave empty to keep it)" if stored else "")
        self.verify_tls.setChecked(shown.verify_tls)
        self.ae_title.setText(node.ae_title if node is not None else "")
        self.host.setText(node.host if node is not None else "")
        self.port.setValue(shown.port)
        self.calling_ae.setText(shown.calling_ae)
        _select(self.retrieve, shown.retrieve)
        self.move_destination.setText(shown.move_destination)
        self.listen_port.setValue(shown.listen_port)
        self._protocol_changed()
        self._retrieve_changed()
        self.result.show_text("", "")

    # -- from the form ---------------------------------------------------------------------

    def form_node(self) -> PacsNode:
        """The node the form describes; ValueError saying what is wrong."""
        protocol = self.protocol.currentData()
        if protocol == "dicomweb":
            return PacsNode(self.name.text(), protocol, url=self.url.text(),
                            auth=self.auth.currentData(), username=self.username.text(),
                            verify_tls=self.verify_tls.isChecked())
        return PacsNode(self.name.text(), protocol, ae_title=self.ae_title.text(),
                        host=self.host.text(), port=self.port.value(),
                        calling_ae=self.calling_ae.text(), retrieve=self.retrieve.currentData(),
                        move_destination=self.move_destination.text(),
                        listen_port=self.listen_port.value())

    def form_secret(self, node: PacsNode) -> str | None:
        """The password or token to use: the one typed, else the one stored for the node."""
        if not node.needs_secret:
            return None
        typed = self.secret.text()
        if typed:
            return typed
        return self.store.secret(self.editing) if self.editing is not None else None

    def save(self) -> bool:
        """Save the form as a node (replacing the one edited); True when saved."""
        try:
            node = self.form_node()
            names = [n.name for n in self.store.nodes()]
        except ValueError as exc:
            self.result.show_text("error", f"Not saved: {exc}")
            return False
        if node.name != self.editing and node.name in names:
            self.result.show_text("error", f"Not saved: a server called {node.name} exists already")
            return False
        secret = self.form_secret(node)
        try:
            self.store.save(node)
            self.store.set_secret(node.name, secret)
            if self.editing is not None and self.editing != node.name:
                self.store.remove(self.editing)
        except (OSError, ValueError, KeyError) as exc:
            self.result.show_text("error", f"Not saved: {exc}")
            return False
        self.refresh(select=node.name)
        where = "" if not secret else (" (password in the keyring)" if self.store.keyring_available()
                                       else " (password kept for this session only)")
        self.result.show_text("ok", f"Saved {node.name}{where}")
        return True

    def ask_remove(self) -> None:
        if self.editing is None:
            return
        name = self.editing
        answer = QMessageBox.question(self, "Remove a PACS server",
                                      f"Remove {name} and its stored password?")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(name)

    def remove(self, name: str) -> None:
        try:
            self.store.remove(name)
        except (OSError, ValueError, KeyError) as exc:
            self.result.show_text("error", f"Not removed: {str(exc).strip(chr(39))}")
            return
        self.refresh()
        self.result.show_text("ok", f"Removed {name}")

    def test(self) -> None:
        """Ask the server in the form to answer, in the background; the answer shows below."""
        from spineviewer.pacs.client import connect

        try:
            node = self.form_node()
        except ValueError as exc:
            self.result.show_text("error", f"Cannot test: {exc}")
            return
        secret = self.form_secret(node)
        how = "QIDO-RS" if node.protocol == "dicomweb" else "C-ECHO"
        self._test_generation += 1
        generation = self._test_generation
        self.result.show_text("busy", f"Asking {node.address} ({how})…")
        self.test_button.setEnabled(False)

        def work(_task):
            with connect(node, secret, timeout=TEST_TIMEOUT_S) as client:
                return client.echo()

        def answered(outcome: Outcome) -> None:
            if generation != self._test_generation:
                return
            self.test_button.setEnabled(True)
            if outcome.ok:
                self.result.show_text("ok", f"{node.name} answered ({how}, {outcome.value * 1000:.0f} ms)")
            else:
                self.result.show_text("error", outcome.error)

        submit(self.work, node.name, work, label=f"Testing {node.name}", on_outcome=answered)
