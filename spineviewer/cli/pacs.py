"""``spineviewer pacs``: PACS nodes, echo, query, retrieve and send (DICOMweb or DIMSE).

Secrets are never taken from the command line (it shows in ``ps`` and in the shell history):
a password or token comes from the environment variable :data:`SECRET_ENV`, else from the
keyring when ``pacs nodes add`` could store it there, else from a prompt on a terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from spineviewer.cli.registry import Command, bounded_int, register

#: The environment variable holding a node's password or token.
SECRET_ENV = "SPINEVIEWER_PACS_SECRET"


def _date(text: str) -> dt.date:
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One subcommand per action."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    nodes = actions.add_parser("nodes", help="list, add or remove PACS nodes",
                               description="With no action: list the nodes.")
    node_actions = nodes.add_subparsers(dest="node_action", metavar="list|add|remove")
    node_actions.add_parser("list", help="list the nodes (the default)")
    add = node_actions.add_parser(
        "add", help="add or replace a node",
        description=f"The password or token is read from ${SECRET_ENV} or a prompt, never "
                    "from the command line, and kept in the platform keyring when there is one.")
    add.add_argument("name", metavar="NAME")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--dicomweb", metavar="URL", help="DICOMweb base URL (QIDO/WADO/STOW-RS)")
    kind.add_argument("--dimse", metavar="AE@HOST:PORT", help="the PACS's AE title, host and port")
    add.add_argument("--auth", choices=("none", "basic", "bearer"), default="none",
                     help="DICOMweb authentication (default: none)")
    add.add_argument("--username", default="", help="user name for basic authentication")
    add.add_argument("--no-verify-tls", action="store_true",
                     help="do not check the server's TLS certificate (a test server only)")
    add.add_argument("--calling-ae", default="SPINEVIEWER", metavar="AE",
                     help="our AE title, which the PACS must know (default: SPINEVIEWER)")
    add.add_argument("--retrieve", choices=("c-get", "c-move"), default="c-get",
                     help="DIMSE retrieve (default: c-get)")
    add.add_argument("--move-destination", default="", metavar="AE",
                     help="C-MOVE destination AE title (default: the calling AE)")
    add.add_argument("--listen-port", type=bounded_int(1, 65535), default=11112, metavar="PORT",
                     help="port of our storage SCP during a C-MOVE (default: 11112)")
    remove = node_actions.add_parser("remove", help="remove a node and its secret")
    remove.add_argument("name", metavar="NAME")

    echo = actions.add_parser("echo", help="check that a node answers (C-ECHO or QIDO-RS)")
    echo.add_argument("node", metavar="NODE")

    query = actions.add_parser("query", help="find studies")
    query.add_argument("node", metavar="NODE")
    query.add_argument("--patient-id", default="", metavar="ID", help="PatientID")
    query.add_argument("--patient-name", default="", metavar="NAME",
                       help="PatientName (DICOM wildcards * and ? allowed, e.g. 'DOE^J*')")
    query.add_argument("--from", dest="date_from", type=_date, metavar="DATE",
                       help="studies on or after DATE (YYYY-MM-DD)")
    query.add_argument("--to", dest="date_to", type=_date, metavar="DATE",
                       help="studies on or before DATE (YYYY-MM-DD)")
    query.add_argument("--modality", default="", metavar="CODE", help="a modality in the study (MR)")
    query.add_argument("--accession", default="", metavar="NUMBER", help="AccessionNumber")
    query.add_argument("--description", default="", metavar="TEXT",
                       help="StudyDescription (wildcards allowed)")
    query.add_argument("--limit", type=bounded_int(1, 1000), default=50, metavar="N",
                       help="at most N studies (default: 50)")
    query.add_argument("--offset", type=bounded_int(0, 10**7), default=0, metavar="N",
                       help="skip the first N studies (the next page: --offset 50)")
    query.add_argument("--json", action="store_true", help="print the studies as JSON")

    get = actions.add_parser(
        "get", help="retrieve a study or a list of studies (resumes an interrupted retrieve)",
        description="Retrieve a study, or every study of a list, into the cache "
                    "($XDG_CACHE_HOME/spineviewer/studies) or into DIR/<StudyInstanceUID>; "
                    "instances already there are not fetched again.")
    get.add_argument("node", metavar="NODE")
    get.add_argument("study_uid", metavar="STUDY_UID", nargs="?")
    get.add_argument("--list", metavar="FILE",
                     help="every study of a list instead: StudyInstanceUIDs or accession "
                          "numbers, one per line, or a CSV with either column")
    get.add_argument("--out", metavar="DIR", help="parent folder (default: the cache)")

    send = actions.add_parser("send", help="store DICOM files (SR, SEG, an anonymized copy)")
    send.add_argument("node", metavar="NODE")
    send.add_argument("files", nargs="+", metavar="FILE",
                      help="DICOM files, or folders (every file inside, annotations excepted)")
    for sub in (echo, query, get, send):
        sub.add_argument("--timeout", type=bounded_int(1, 3600), default=30, metavar="S",
                         help="seconds to wait for the server (default: 30)")


def run(args: argparse.Namespace) -> int:
    """Run the action; a PACS failure is one line on stderr and status 1."""
    from spineviewer.pacs.errors import PacsError
    from spineviewer.pacs.nodes import NodeStore

    store = NodeStore()
    try:
        if args.action == "nodes":
            return _nodes(store, args)
        node = _node(store, args.node)
        from spineviewer.pacs.client import connect
        with connect(node, _secret(store, node), timeout=args.timeout) as client:
            return {"echo": _echo, "query": _query, "get": _get, "send": _send}[args.action](
                client, args)
    except PacsError as exc:
        print(f"spineviewer pacs: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("spineviewer pacs: interrupted; what arrived stays, run again to resume",
              file=sys.stderr)
        return 130


def _node(store, name):
    try:
        return store.node(name)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None


def _secret(store, node) -> str | None:
    if not node.needs_secret:
        return None
    kind = "password" if node.auth == "basic" else "token"
    secret = os.environ.get(SECRET_ENV) or store.secret(node.name)
    if not secret and sys.stdin.isatty():
        import getpass
        secret = getpass.getpass(f"{node.name} {kind}: ")
    if not secret:
        raise ValueError(f"{node.name} needs a {kind}: "
                         f"set {SECRET_ENV} or run on a terminal to be asked")
    return secret


def _nodes(store, args) -> int:
    from spineviewer.pacs.nodes import PacsNode

    if args.node_action == "add":
        values = {"name": args.name, "calling_ae": args.calling_ae, "retrieve": args.retrieve,
                  "move_destination": args.move_destination, "listen_port": args.listen_port}
        if args.dicomweb:
            node = PacsNode(protocol="dicomweb", url=args.dicomweb, auth=args.auth,
                            username=args.username, verify_tls=not args.no_verify_tls, **values)
        else:
            ae, _, address = args.dimse.rpartition("@")
            host, _, port = address.rpartition(":")
            if not ae or not host or not port.isdigit():
                raise ValueError(f"--dimse takes AE@HOST:PORT, got {args.dimse!r}")
            node = PacsNode(protocol="dimse", ae_title=ae, host=host, port=int(port), **values)
        store.save(node)
        print(f"{node.name}: {node.protocol} {node.address}")
        if node.needs_secret:
            store.set_secret(node.name, _secret(store, node))
            if not store.keyring_available():
                print(f"no usable keyring here: the secret is not stored; give it with "
                      f"{SECRET_ENV} or at the prompt each time")
        return 0
    if args.node_action == "remove":
        try:
            store.remove(args.name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        print(f"removed {args.name}")
        return 0
    for node in store.nodes():
        extra = f" ({node.auth} authentication)" if node.needs_secret else ""
        if node.protocol == "dimse":
            extra = f" as {node.calling_ae}, {node.retrieve}"
        print(f"{node.name}: {node.protocol} {node.address}{extra}")
    return 0


def _echo(client, args) -> int:
    print(f"{client.node.name}: answered in {client.echo() * 1000:.0f} ms")
    return 0


def _query(client, args) -> int:
    from spineviewer.pacs.query import StudyQuery

    query = StudyQuery(patient_name=args.patient_name, patient_id=args.patient_id,
                       date_from=args.date_from, date_to=args.date_to, modality=args.modality,
                       accession=args.accession, description=args.description)
    studies = client.query_studies(query, limit=args.limit, offset=args.offset)
    if args.json:
        rows = [{**vars(s), "study_date": s.study_date.isoformat() if s.study_date else None,
                 "modalities": list(s.modalities)} for s in studies]
        print(json.dumps(rows, indent=2))
        return 0
    for s in studies:
        date = s.study_date.isoformat() if s.study_date else "-"
        counts = f"{s.n_series if s.n_series is not None else '?'} series, " \
                 f"{s.n_instances if s.n_instances is not None else '?'} images"
        print(f"{date}  {s.patient_id:<12} {s.patient_name:<24} {'/'.join(s.modalities):<6} "
              f"{counts:<22} {s.accession:<14} {s.description}  {s.study_uid}")
    print(f"{len(studies)} stud{'y' if len(studies) == 1 else 'ies'}"
          + (f" (from {args.offset + 1})" if args.offset else ""))
    return 0


def _get(client, args) -> int:
    from spineviewer.core.safe_write import check_output_folder
    from spineviewer.pacs.cache import StudyCache

    if args.out:
        cache = StudyCache(check_output_folder(args.out), limit_bytes=2**62)
    else:
        cache = StudyCache()
    shown = set()

    def progress(report):
        if report.total is not None and report.done == report.total and report.series_uid \
                and report.series_uid not in shown:
            shown.add(report.series_uid)
            print(f"series {report.series_uid}: {report.done} instances "
                  f"({report.study_done}/{report.study_total or '?'})", flush=True)

    if (args.study_uid is None) == (args.list is None):
        raise ValueError("give either STUDY_UID or --list FILE")
    uids, problems = [args.study_uid], []
    if args.list is not None:
        from spineviewer.pacs.worklist import read_study_list, resolve_study_list

        studies, problems = resolve_study_list(client, read_study_list(args.list))
        uids = [study.study_uid for study in studies]
        for problem in problems:
            print(f"not found: {problem}")
    for uid in uids:
        folder = client.retrieve_study(uid, cache, progress=progress)
        print(f"{folder}: {len(cache.files(uid))} instances")
    return 1 if problems else 0


def _send(client, args) -> int:
    from spineviewer.pacs.client import files_to_send

    report = client.send(files_to_send(args.files))
    for path, reason in report.failed:
        print(f"not sent: {path}: {reason}")
    print(f"{client.node.name}: {len(report.stored)} instance(s) stored")
    return 0 if report.ok else 1


register(Command(
    name="pacs",
    synopsis="nodes|echo|query|get|send NODE ...",
    summary="query a PACS, retrieve studies, send results (DICOMweb or DIMSE)",
    description="Talk to a PACS node: 'nodes' lists, adds and removes nodes (settings in "
                "$XDG_CONFIG_HOME/spineviewer/pacs.json, secrets in the keyring or "
                f"${SECRET_ENV}); 'echo' checks a node; 'query' finds studies; 'get' retrieves "
                "a study into the cache (resuming an interrupted retrieve); 'send' stores DICOM "
                "files (the SR, a SEG, an anonymized copy) by STOW-RS or C-STORE.",
    add_arguments=add_arguments,
    run=run,
))
