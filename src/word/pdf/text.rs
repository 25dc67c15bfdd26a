//! A paragraph's lines set: its runs as characters of their sizes, faces and colours, tab
//! stops resolved, pictures in the line, broken by the shared line breaker, aligned or
//! justified, drawn with their underline, strike and highlight.

use super::super::model::*;
use super::faces::is_east_asian;
use super::setter::{fit, plain, same, Ink, Setter};
use crate::render::pdf::layout::{Op, TextLine};
use crate::render::pdf::lines::{spaced, wrap_pieces, Piece};

impl Setter<'_> {
    /// The lines of one part of a paragraph: each its height and its drawing, relative to the
    /// line's top-left corner at the paragraph's left edge.
    pub(super) fn lines(
        &mut self,
        p: &Para,
        part: &[&Inline],
        width: f32,
        first_part: bool,
    ) -> Vec<(f32, Vec<Op>)> {
        let mut inks: Vec<Ink> = Vec::new();
        let mut pieces: Vec<Piece> = Vec::new();
        // On a character grid, East Asian characters take whole cells, and an indent given
        // in characters is so many cells.
        let pitch = self.char_pitch.filter(|_| p.snap);
        let indent = match (first_part, p.first_chars, pitch) {
            (false, _, _) => 0.0,
            (true, Some(c), Some(pitch)) => c * pitch,
            (true, _, _) => p.first,
        };
        let avail = (width - p.left - p.right).max(12.0);
        let ink_of = |s: &RunStyle, inks: &mut Vec<Ink>, leader: bool, picture: Option<Picture>| {
            let ink = Ink {
                size: s.size,
                color: s.color,
                underline: s.underline,
                strike: s.strike,
                italic: s.italic,
                highlight: s.highlight,
                vert: s.vert,
                leader,
                picture,
            };
            // A picture is a style of its own; text of one look shares one.
            if let Some(i) = inks.iter().position(|k| same(k, &ink)) {
                return i as u32;
            }
            inks.push(ink);
            (inks.len() - 1) as u32
        };
        // The x reached on the first line, for tab stops.
        let mut x = indent;
        let mut pending_tab: Option<(usize, TabStop, f32)> = None;
        let push_text = |this: &mut Self,
                         text: &str,
                         s: &RunStyle,
                         pieces: &mut Vec<Piece>,
                         inks: &mut Vec<Ink>,
                         x: &mut f32| {
            let style = ink_of(s, inks, false, None);
            let size = if s.vert != 0 { s.size * 0.6 } else { s.size };
            for c in text.chars() {
                let c = if c.is_control() && c != '\n' { ' ' } else { c };
                // The quarter-em the line breaker puts between Chinese and Latin, counted
                // here too for the tab stops after it.
                if pieces.last().is_some_and(|p: &Piece| spaced(p.c, c)) {
                    *x += size / 4.0;
                }
                let name = if is_east_asian(c) {
                    s.east_asia.as_deref().or(s.latin.as_deref())
                } else {
                    s.latin.as_deref().or(s.east_asia.as_deref())
                };
                let (sans, face) = this.faces.of(name);
                let heading = sans;
                let placed = this.faces.fonts.place_in(c, face, heading);
                let natural = placed.advance * size;
                let tracking = match pitch {
                    Some(pitch) if is_east_asian(c) && natural >= size * 0.9 => {
                        // Whole cells; a character a little wider than a cell (a negative
                        // `charSpace`) is set in one.
                        (natural / pitch - 0.1).ceil().max(1.0) * pitch - natural + s.spacing
                    }
                    _ => s.spacing,
                };
                *x += natural + tracking;
                pieces.push(Piece {
                    c,
                    size,
                    style,
                    bold: s.bold,
                    heading,
                    face,
                    tracking,
                    advance: None,
                });
            }
        };
        let settle_tab =
            |pieces: &mut Vec<Piece>, pending: &mut Option<(usize, TabStop, f32)>, x: &mut f32| {
                if let Some((at, stop, start)) = pending.take() {
                    let after: f32 = *x - start;
                    let pos = stop.pos.min(avail);
                    let w = match stop.align {
                        Align::Right => pos - start - after,
                        Align::Center => pos - start - after / 2.0,
                        _ => pos - start,
                    }
                    .max(0.0);
                    pieces[at].advance = Some(w);
                    *x = start + w + after;
                }
            };
        for inline in part {
            match inline {
                Inline::Text(t, s) => push_text(self, t, s, &mut pieces, &mut inks, &mut x),
                Inline::Field(f, s) => {
                    let t = self.field_text(*f);
                    push_text(self, &t, s, &mut pieces, &mut inks, &mut x)
                }
                Inline::Break => {
                    settle_tab(&mut pieces, &mut pending_tab, &mut x);
                    pieces.push(plain('\n', p.mark.size, 0));
                    x = 0.0;
                }
                Inline::Tab(s) => {
                    settle_tab(&mut pieces, &mut pending_tab, &mut x);
                    let stop = p
                        .tabs
                        .iter()
                        .find(|t| t.pos > x + 0.5)
                        .copied()
                        .unwrap_or_else(|| {
                            let step = p.default_tab.max(6.0);
                            TabStop {
                                pos: ((x / step).floor() + 1.0) * step,
                                align: Align::Left,
                                leader: false,
                            }
                        });
                    let style = ink_of(s, &mut inks, stop.leader, None);
                    let mut piece = plain('\u{2003}', s.size, style);
                    let w = (stop.pos.min(avail) - x).max(0.0);
                    piece.advance = Some(w);
                    pieces.push(piece);
                    if stop.align == Align::Left {
                        x += w;
                    } else {
                        pending_tab = Some((pieces.len() - 1, stop, x));
                    }
                }
                Inline::Picture(pic) => {
                    let (w, h) = fit(pic, avail);
                    let style = ink_of(
                        &p.mark,
                        &mut inks,
                        false,
                        Some(Picture {
                            width: w,
                            height: h,
                            ..pic.clone()
                        }),
                    );
                    let mut piece = plain('\u{FFFC}', p.mark.size, style);
                    piece.advance = Some(w);
                    pieces.push(piece);
                    x += w;
                }
                Inline::PageBreak | Inline::Floating(_) => {}
            }
        }
        settle_tab(&mut pieces, &mut pending_tab, &mut x);
        let set = if pieces.is_empty() {
            vec![TextLine::default()]
        } else {
            wrap_pieces(
                &pieces,
                (avail, indent),
                self.compress,
                self.faces.fonts,
                &mut self.missing,
            )
        };
        let count = set.len();
        let mut out = Vec::with_capacity(count);
        for (li, line) in set.into_iter().enumerate() {
            let mut size: f32 = 0.0;
            let mut picture: f32 = 0.0;
            for r in &line.runs {
                let ink = &inks[r.style as usize];
                match &ink.picture {
                    Some(pic) => picture = picture.max(pic.height),
                    None => size = size.max(ink.size),
                }
            }
            if line.runs.is_empty() || size == 0.0 && picture == 0.0 {
                size = p.mark.size;
            }
            let (natural, h, snapped) = self.line_height(p, size, picture, li == 0 && first_part);
            // What the line rule adds goes above the text; the text sits in the middle of its
            // grid pitches.
            let top = match p.line {
                LineRule::Exact(_) => (h - natural) / 2.0,
                _ => (h - snapped).max(0.0) + (snapped - natural).max(0.0) / 2.0,
            };
            let baseline =
                top + size.max(0.0) * self.ascent_em + (picture - size * self.height_em).max(0.0);
            let last = li + 1 == count;
            let slack = avail - line.indent - line.width;
            let x0 = p.left
                + line.indent
                + match p.align {
                    Align::Center => slack / 2.0,
                    Align::Right => slack,
                    _ => 0.0,
                };
            let chars = line.runs.iter().map(|r| r.advances.len()).sum::<usize>();
            let stretch = match p.align {
                Align::Both if !last && slack > 0.0 => slack / (chars.max(2) - 1) as f32,
                Align::Distribute if slack > 0.0 => slack / (chars.max(2) - 1) as f32,
                _ => 0.0,
            };
            let mut ops = Vec::new();
            let mut cx = x0;
            let mut k = 0;
            for r in &line.runs {
                let ink = &inks[r.style as usize];
                let mut advances = r.advances.clone();
                for a in advances.iter_mut() {
                    if k + 1 < chars {
                        a.0 += stretch;
                    }
                    k += 1;
                }
                let w: f32 = advances.iter().map(|a| a.0).sum();
                if let Some(pic) = &ink.picture {
                    ops.push(Op::Image {
                        x: cx,
                        y: baseline - pic.height,
                        w: pic.width,
                        h: pic.height,
                        image: pic.image.clone(),
                    });
                } else if r.text.chars().all(|c| c == '\u{2003}') {
                    if ink.leader && w > ink.size {
                        let dot = ink.size * 0.5;
                        let n = ((w - ink.size * 0.5) / dot).floor().max(0.0) as usize;
                        if n > 0 {
                            ops.push(Op::Text {
                                x: cx + (w - n as f32 * dot) / 2.0,
                                y: baseline,
                                size: ink.size,
                                bold: false,
                                heading: false,
                                color: ink.color,
                                text: ".".repeat(n),
                                advances: vec![(dot, 0.0); n],
                                face: None,
                                italic: false,
                            });
                        }
                    }
                } else {
                    let shift = match ink.vert {
                        1 => -ink.size * 0.33,
                        -1 => ink.size * 0.12,
                        _ => 0.0,
                    };
                    let run_size = if ink.vert != 0 {
                        ink.size * 0.6
                    } else {
                        ink.size
                    };
                    if let Some(hl) = ink.highlight {
                        ops.push(Op::Rect {
                            x: cx,
                            y: baseline - run_size * self.ascent_em,
                            w,
                            h: run_size * self.height_em,
                            fill: Some(hl),
                            stroke: None,
                        });
                    }
                    ops.push(Op::Text {
                        x: cx,
                        y: baseline + shift,
                        size: run_size,
                        bold: r.bold,
                        heading: r.heading,
                        color: ink.color,
                        text: r.text.clone(),
                        advances,
                        face: r.face,
                        italic: ink.italic,
                    });
                    let rule = |dy: f32| Op::Line {
                        x1: cx,
                        y1: baseline + dy,
                        x2: cx + w,
                        y2: baseline + dy,
                        color: ink.color,
                        width: (run_size / 18.0).max(0.4),
                    };
                    if ink.underline {
                        ops.push(rule(run_size * 0.12));
                    }
                    if ink.strike {
                        ops.push(rule(-run_size * 0.3));
                    }
                }
                cx += w;
            }
            if let Some(fill) = p.fill {
                ops.insert(
                    0,
                    Op::Rect {
                        x: p.left,
                        y: 0.0,
                        w: avail,
                        h,
                        fill: Some(fill),
                        stroke: None,
                    },
                );
            }
            out.push((h, ops));
        }
        out
    }
}
