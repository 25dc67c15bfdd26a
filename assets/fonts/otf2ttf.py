"""Converts an OpenType (CFF) font to TrueType (glyf) outlines: the cubic curves become
quadratic ones within MAX_ERR font units. Used once by subset.sh.

Usage: python3 otf2ttf.py IN.otf OUT.ttf [MAX_ERR]
"""
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

def convert(src, dst, max_err=float(sys.argv[3]) if len(sys.argv) > 3 else 1.0):
    f = TTFont(src)
    order = f.getGlyphOrder()
    glyphs = f.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf[name] = pen.glyph()
    f["loca"] = newTable("loca")
    f["glyf"] = glyf
    del f["CFF "]
    for t in ("VORG",):
        if t in f:
            del f[t]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for k in ("maxZones",):
        setattr(maxp, k, 1)
    for k in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
              "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
              "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
              "maxComponentDepth"):
        setattr(maxp, k, 0)
    maxp.numGlyphs = len(order)
    f["maxp"] = maxp
    post = f["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    f.sfntVersion = "\000\001\000\000"
    f.save(dst)

convert(sys.argv[1], sys.argv[2])
