"""Read CloudTrail records from the files people have, one record at a time.

Three forms are read, told apart by their content, gzipped or not:

- CloudTrail's S3 delivery: ``{"Records": [...]}`` files (``*.json.gz``) in the dated
  folders ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`` (AWS page "Finding your
  CloudTrail log files",
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
  Such a file is parsed whole, one file at a time: CloudTrail delivers a file every few
  minutes per region, each at most a few MB, so memory stays that of one file. The
  ``CloudTrail-Digest`` folders beside them hold digests, not events, and are skipped.
- A CloudTrail Lake or Athena export as JSON lines: one event per line, read line by line.
  Athena's CloudTrail table spells its columns in lower case and keeps
  ``requestParameters`` as JSON text; a line holding the raw event as text under
  ``eventJson`` is read from that text. Both are accepted.
- A single file of either form, or a JSON array of events.

A file that cannot be read whole (not JSON, a truncated gzip stream, a line that is not an
event) is one :class:`TrailFileError` naming the file and what is wrong; the reader goes on
with the next file and the caller decides (the command refuses to report on a shortened
input).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: File names read in a folder (anything else, such as a digest or a README, is skipped).
TRAIL_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
#: Folders of a trail that hold digest files, not events.
DIGEST_FOLDER = "CloudTrail-Digest"
_GZIP_MAGIC = b"\x1f\x8b"


class TrailFileError(ValueError):
    """One file that cannot be read as CloudTrail records: the file, and what is wrong."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Record:
    """The parts of a CloudTrail event the reconciliation reads (AWS page "CloudTrail
    record contents").

    Attributes:
        event_id: ``eventID``.
        time: ``eventTime`` (ISO 8601, UTC).
        source: ``eventSource`` (``sagemaker.amazonaws.com``).
        name: ``eventName`` (``CreateTrainingJob``).
        region: ``awsRegion``.
        account: ``recipientAccountId`` (else the identity's ``accountId``).
        identity_type: ``userIdentity.type`` (``AssumedRole``, ``IAMUser``, ``AWSService``).
        role_arn: for an ``AssumedRole`` session, the role's ARN
            (``userIdentity.sessionContext.sessionIssuer.arn``); else empty.
        principal: the identity's ARN (or its type, when it has none), for counting.
        error_code: ``errorCode``, empty on success.
        error_message: ``errorMessage``.
        request: ``requestParameters`` (empty when absent or not an object).
        response: ``responseElements`` (the same).
        resources: ``resources[*]`` as (type, ARN).
        category: ``eventCategory`` (``Management``, ``Data``...).
        file: the file it was read from.
    """

    event_id: str
    time: str
    source: str
    name: str
    region: str
    account: str
    identity_type: str
    role_arn: str
    principal: str
    error_code: str = ""
    error_message: str = ""
    request: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)
    resources: tuple[tuple[str, str], ...] = ()
    category: str = "Management"
    file: str = ""


def trail_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to read: each file given, and under each folder given every file with a
    suffix of :data:`TRAIL_SUFFIXES` outside digest folders, in name order (the dated
    layout reads in time order)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if (found.is_file() and found.name.endswith(TRAIL_SUFFIXES)
                        and DIGEST_FOLDER not in found.relative_to(path).parts):
                    yield found
        else:
            yield path


def read_records(path: Path) -> Iterator[Record]:
    """The records of one file, in order.

    Raises:
        TrailFileError: the file cannot be read, or holds something that is not a
            CloudTrail event (raised where the problem is met: records before it were
            already yielded).
    """
    try:
        with _open(path) as stream:
            first = _first_line(stream)
            if first is None:
                raise TrailFileError(path, "the file is empty: no CloudTrail records")
            yield from _records(path, stream, first)
    except TrailFileError:
        raise
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise TrailFileError(path, f"truncated or corrupt gzip data ({error})") from None
    except UnicodeDecodeError as error:
        raise TrailFileError(path, f"not UTF-8 text ({error.reason} at byte "
                                   f"{error.start})") from None
    except OSError as error:
        raise TrailFileError(path, f"cannot be read: {error.strerror or error}") from None


def _open(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == _GZIP_MAGIC
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _first_line(stream: IO[str]) -> str | None:
    for line in stream:
        if line.strip():
            return line
    return None


def _records(path: Path, stream: IO[str], first: str) -> Iterator[Record]:
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = None
    if isinstance(head, dict) and "Records" not in head and _looks_like_event(head):
        # JSON lines: one event per line (Lake and Athena exports).
        yield _record(path, head, "line 1")
        for number, line in enumerate(stream, start=2):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise TrailFileError(path, f"line {number} is not valid JSON ({error.msg}, "
                                           "the file may be truncated)") from None
            yield _record(path, item, f"line {number}")
        return
    # One JSON document: a {"Records": [...]} file (one line as CloudTrail writes it, or
    # pretty-printed) or an array of events.
    text = first + stream.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TrailFileError(path, f"not valid JSON at line {error.lineno} column "
                                   f"{error.colno}: {error.msg} (the file may be "
                                   "truncated)") from None
    if isinstance(document, dict) and isinstance(document.get("Records"), list):
        events: list[Any] = document["Records"]
    elif isinstance(document, list):
        events = document
    else:
        raise TrailFileError(path, 'neither {"Records": [...]} (CloudTrail\'s S3 delivery), '
                                   "JSON lines of events, nor an array of events")
    for index, item in enumerate(events):
        yield _record(path, item, f"record {index}")


def _looks_like_event(item: Mapping[str, Any]) -> bool:
    keys = {key.lower() for key in item}
    return bool(keys & {"eventname", "eventjson"})


def _lower(item: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in item.items()}


def _object(value: Any) -> dict[str, Any]:
    """An object field, read from JSON text where an export keeps it as text."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}


def _record(path: Path, item: Any, where: str) -> Record:
    if not isinstance(item, dict):
        raise TrailFileError(path, f"{where} is not an object: not a CloudTrail event")
    event = _lower(item)
    if isinstance(event.get("eventjson"), str):
        inner = _object(event["eventjson"])
        if not inner:
            raise TrailFileError(path, f"{where}: eventJson is not a JSON object")
        event = _lower(inner)
    missing = [key for key in ("eventsource", "eventname", "useridentity")
               if not event.get(key)]
    if missing:
        spelled = {"eventsource": "eventSource", "eventname": "eventName",
                   "useridentity": "userIdentity"}
        raise TrailFileError(path, f"{where} is not a CloudTrail event: no "
                                   f"{', '.join(spelled[key] for key in missing)}")
    identity = _lower(_object(event["useridentity"]))
    session = _lower(_object(identity.get("sessioncontext")))
    issuer = _lower(_object(session.get("sessionissuer")))
    identity_type = str(identity.get("type", ""))
    role_arn = str(issuer.get("arn", "")) if identity_type == "AssumedRole" else ""
    resources = tuple(
        (str(entry.get("type", "")), str(entry["arn"]))
        for entry in (_lower(_object(r)) for r in event.get("resources") or [])
        if entry.get("arn"))
    return Record(
        event_id=str(event.get("eventid", "")),
        time=str(event.get("eventtime", "")),
        source=str(event["eventsource"]),
        name=str(event["eventname"]),
        region=str(event.get("awsregion", "")),
        account=str(event.get("recipientaccountid") or identity.get("accountid", "")),
        identity_type=identity_type,
        role_arn=role_arn,
        principal=str(identity.get("arn") or identity.get("invokedby") or identity_type),
        error_code=str(event.get("errorcode") or ""),
        error_message=str(event.get("errormessage") or ""),
        request=_object(event.get("requestparameters")),
        response=_object(event.get("responseelements")),
        resources=resources,
        category=str(event.get("eventcategory") or "Management"),
        file=str(path),
    )
