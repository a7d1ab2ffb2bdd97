#!/usr/bin/env python3
"""Draws the web app icons in themes/default/static/icons/: an open book, white on Lore's link blue, as the
usual icon (a rounded square) and as a maskable one (blue to every edge, the book inside the safe circle).
Only the standard library: pixels are tested against the shapes, 4x4 samples each for smooth edges. The PNGs
are committed; run this again only to change them."""

import os
import struct
import zlib

BLUE = (0x05, 0x50, 0xAE)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4


def inside_polygon(x, y, points):
    res = False
    j = len(points) - 1
    for i, (xi, yi) in enumerate(points):
        xj, yj = points[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            res = not res
        j = i
    return res


def inside_rounded_square(x, y, size, radius):
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def book(size, extent):
    """The two pages of an open book spanning `extent` of the square, as polygons."""
    middle, half = size / 2, size * extent / 2
    top, bottom = middle - half * 0.62, middle + half * 0.62
    spine, dip = size / 64, half * 0.12
    left_page = [(middle - half, top), (middle - spine, top + dip), (middle - spine, bottom + dip), (middle - half, bottom)]
    right_page = [(middle + half, top), (middle + spine, top + dip), (middle + spine, bottom + dip), (middle + half, bottom)]
    return [left_page, right_page]


def draw(size, maskable):
    pages = book(size, 0.5 if maskable else 0.62)
    radius = size / 6
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            n_background = n_book = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x, y = px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES
                    if maskable or inside_rounded_square(x, y, size, radius):
                        if any(inside_polygon(x, y, page) for page in pages):
                            n_book += 1
                        else:
                            n_background += 1
            covered = n_background + n_book
            if covered == 0:
                row += bytes(4)
                continue
            colour = [round((BLUE[i] * n_background + WHITE[i] * n_book) / covered) for i in range(3)]
            row += bytes(colour + [round(255 * covered / SAMPLES ** 2)])
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "themes", "default", "static", "icons")
    os.makedirs(folder, exist_ok=True)
    for size in (192, 512):
        for maskable, name in ((False, "icon"), (True, "maskable")):
            with open(os.path.join(folder, f"{name}-{size}.png"), "wb") as out:
                out.write(draw(size, maskable))


if __name__ == "__main__":
    main()
