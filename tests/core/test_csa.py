"""The Siemens CSA header reader: both layouts, damaged headers, and nibabel as the peer."""

from __future__ import annotations

import struct

import pydicom
import pytest

from spineviewer.core.csa import CSAError, read_csa

_CSA_VRS = {"SliceNormalVector": b"FD\0\0", "NumberOfImagesInMosaic": b"IS\0\0"}


def csa_bytes(tags: dict[str, list[str]], *, csa1: bool = False) -> bytes:
    """A CSA header in the CSA2 (``SV10``) or CSA1 layout, every tag with the same item count."""
    n_items = max(len(items) for items in tags.values())
    out = b"" if csa1 else b"SV10\x04\x03\x02\x01"
    out += struct.pack("<2I", len(tags), 77)
    for name, items in tags.items():
        vr = _CSA_VRS.get(name, b"ST\0\0")
        out += struct.pack("<64si4s3i", name.encode(), len(items), vr, 4, n_items, 77)
        for k in range(n_items):
            value = items[k].encode() + b"\0" if k < len(items) else b""
            x0 = len(value) + n_items if csa1 else len(value)
            out += struct.pack("<4i", x0, len(value), 77, len(value)) + value + b"\0" * (-len(value) % 4)
    return out


class TestReadCSA:
    def test_csa2_values(self):
        """A CSA2 header gives each tag's text items."""
        tags = {"SliceNormalVector": ["0.0", "0.1", "0.99"], "NumberOfImagesInMosaic": ["35"]}
        assert read_csa(csa_bytes(tags)) == tags

    def test_csa1_item_lengths_count_the_first_tags_items(self):
        """The old CSA1 layout (no SV10) reads the same values."""
        tags = {"SliceNormalVector": ["0.0", "-0.5", "0.866"], "B_value": ["1000", "", ""]}
        assert read_csa(csa_bytes(tags, csa1=True)) == {"SliceNormalVector": ["0.0", "-0.5", "0.866"],
                                                        "B_value": ["1000"]}

    def test_csa2_agrees_with_nibabel(self):
        """nibabel's CSA reader finds the same items (its CSA1 branch cannot read a first tag
        with items, so only CSA2 is compared)."""
        csareader = pytest.importorskip("nibabel.nicom.csareader")
        tags = {"SliceNormalVector": ["0.25", "0.5", "0.75"], "NumberOfImagesInMosaic": ["12"]}
        raw = csa_bytes(tags)
        peer = {name: [float(v) for v in tag["items"]] for name, tag in csareader.read(raw)["tags"].items()}
        ours = {name: [float(v) for v in values] for name, values in read_csa(raw).items()}
        assert ours == peer == {"SliceNormalVector": [0.25, 0.5, 0.75], "NumberOfImagesInMosaic": [12.0]}

    def test_every_truncation_is_a_csa_error(self):
        """A header cut anywhere either still parses or raises CSAError, never anything else."""
        raw = csa_bytes({"SliceNormalVector": ["0.0", "0.1", "0.99"], "NumberOfImagesInMosaic": ["35"]})
        for end in range(len(raw)):
            try:
                read_csa(raw[:end])
            except CSAError:
                pass

    def test_absurd_counts_are_refused_before_reading(self):
        """A tag count of 4 billion or a negative item length is refused."""
        with pytest.raises(CSAError, match="tags"):
            read_csa(b"SV10\x04\x03\x02\x01" + struct.pack("<2I", 0xFFFFFFFF, 77))
        raw = bytearray(csa_bytes({"SliceNormalVector": ["1.0"]}))
        struct.pack_into("<i", raw, 16 + 84 + 4, -8)
        with pytest.raises(CSAError, match="-8 bytes"):
            read_csa(bytes(raw))

    def test_csa_headers_read_as_nibabel_reads_them(self, corpus):
        """Every tag of the corpus' CSA image and series headers has nibabel's items."""
        csareader = pytest.importorskip("nibabel.nicom.csareader")
        ds = pydicom.dcmread(corpus / "dcm_qa_ts" / "In" / "1.dcm")
        for element in (0x1010, 0x1020):
            raw = ds[0x0029, element].value
            ours, peer = read_csa(raw), csareader.read(raw)["tags"]
            assert ours.keys() == peer.keys()
            for name, tag in peer.items():
                items = [item.strip() if isinstance(item, str) else item for item in tag["items"]]
                items = [item for item in items if item != ""]
                assert [type(item)(value) for item, value in zip(items, ours[name])] == items, name
                assert len(ours[name]) == len(items), name
        normal = read_csa(ds[0x0029, 0x1010].value)["SliceNormalVector"]
        assert normal == ["0.00000000", "0.10799944", "0.99415095"]
