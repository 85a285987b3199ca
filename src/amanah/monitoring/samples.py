"""Small valid files made in code, for the demo's evidence (and the tests): a 1x1 grey
JPEG and a one-page PDF, each carrying a label so that different labels give different
files (and different SHA-256). No binary file is committed."""

from __future__ import annotations

__all__ = ["tiny_jpeg", "tiny_pdf"]


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body


def tiny_jpeg(label: str) -> bytes:
    """A baseline JPEG of one grey pixel, with `label` in a comment segment."""
    one_code = bytes([1] + [0] * 15)  # one Huffman code, of length 1
    return b"".join(
        (
            b"\xff\xd8",  # start of image
            _segment(0xFE, label.encode()),  # comment
            _segment(0xDB, b"\x00" + bytes([1] * 64)),  # quantisation table 0
            _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),  # 8-bit, 1x1, 1 component
            _segment(0xC4, b"\x00" + one_code + b"\x00"),  # DC table 0: difference 0
            _segment(0xC4, b"\x10" + one_code + b"\x00"),  # AC table 0: end of block
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # start of scan
            b"\x3f",  # DC "0", AC "0", padded with ones
            b"\xff\xd9",  # end of image
        )
    )


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF 1.4 showing `text` (ASCII) in Helvetica."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\")
    safe = safe.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 36 96 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 144]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    size = len(objects) + 1
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
