//! Tagged PDF: the layout's structure elements (headings, paragraphs, lists, tables with
//! their header and data cells, figures with alternative text) written as the document's
//! structure tree, each page's content marked as the element it belongs to or as an artifact
//! (page furniture, rules, cell boxes, a header row drawn again), in reading order.

use std::num::NonZeroU16;

use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node as TagNode, SpanTag,
    TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
};

use super::flow::Flow;
use super::grid::Grid;
use super::layout::{Node, Op, Page, Role};

/// What each structure element holds, in order: its child elements and its marked content.
pub(super) struct Tagger {
    children: Vec<Vec<Child>>,
}

enum Child {
    Element(usize),
    Content(Identifier),
}

impl Tagger {
    pub(super) fn new(nodes: &[Node]) -> Self {
        let mut children: Vec<Vec<Child>> = (0..nodes.len()).map(|_| Vec::new()).collect();
        for (i, n) in nodes.iter().enumerate() {
            if let Some(p) = n.parent {
                children[p as usize].push(Child::Element(i));
            }
        }
        Tagger { children }
    }

    /// Draws a page's operations with `draw`, each run of them marked as the element its mark
    /// names, or as an artifact.
    pub(super) fn page(
        &mut self,
        s: &mut Surface<'_>,
        page: &Page,
        mut draw: impl FnMut(&mut Surface<'_>, &Op),
    ) {
        let mut bounds: Vec<(usize, Option<u32>)> = vec![(0, None)];
        bounds.extend(page.marks.iter().copied());
        for (k, &(start, node)) in bounds.iter().enumerate() {
            let end = bounds.get(k + 1).map_or(page.ops.len(), |b| b.0);
            let ops = page.ops.get(start..end.max(start)).unwrap_or(&[]);
            if ops.is_empty() {
                continue;
            }
            let node = node.filter(|&n| (n as usize) < self.children.len());
            let id = s.start_tagged(match node {
                Some(_) => ContentTag::Span(SpanTag::empty()),
                None => ContentTag::Artifact(Artifact::new(ArtifactType::Other, None)),
            });
            for op in ops {
                draw(s, op);
            }
            s.end_tagged();
            if let Some(n) = node {
                self.children[n as usize].push(Child::Content(id));
            }
        }
    }

    /// The structure tree: the top elements in order, each with what it holds.
    pub(super) fn tree(mut self, nodes: &[Node], lang: &str) -> TagTree {
        let mut tree = TagTree::new().with_lang(Some(lang.to_string()));
        for (i, n) in nodes.iter().enumerate() {
            if n.parent.is_none() {
                tree.push(self.group(i, nodes));
            }
        }
        tree
    }

    fn group(&mut self, i: usize, nodes: &[Node]) -> TagGroup {
        let mut group = TagGroup::new(kind(&nodes[i].role));
        for child in std::mem::take(&mut self.children[i]) {
            match child {
                Child::Element(c) => group.push(TagNode::Group(self.group(c, nodes))),
                Child::Content(id) => group.push(id),
            }
        }
        group
    }
}

/// The document outline: a bookmark per heading, nested by level, each to where the
/// heading's first line stands.
pub(super) fn outline(nodes: &[Node], pages: &[Page]) -> Outline {
    let mut outline = Outline::new();
    // Open bookmarks, each with its level: a heading closes those at its level or deeper.
    let mut open: Vec<(u8, OutlineNode)> = Vec::new();
    let close = |open: &mut Vec<(u8, OutlineNode)>, outline: &mut Outline| {
        let (_, node) = open.pop().expect("an open bookmark");
        match open.last_mut() {
            Some((_, parent)) => parent.push_child(node),
            None => outline.push_child(node),
        }
    };
    for Heading {
        level,
        title,
        page,
        top,
    } in headings(nodes, pages)
    {
        while open.last().is_some_and(|(l, _)| *l >= level) {
            close(&mut open, &mut outline);
        }
        let dest = XyzDestination::new(page, Point::from_xy(0.0, top));
        open.push((level, OutlineNode::new(title.to_string(), dest)));
    }
    while !open.is_empty() {
        close(&mut open, &mut outline);
    }
    outline
}

fn kind(role: &Role) -> TagKind {
    match role {
        Role::Heading(level, title) => Tag::Hn(
            NonZeroU16::new(u16::from(*level).max(1)).expect("not zero"),
            Some(title.clone()),
        )
        .into(),
        Role::Paragraph => Tag::P.into(),
        Role::List(true) => Tag::L(ListNumbering::Decimal).into(),
        Role::List(false) => Tag::L(ListNumbering::Disc).into(),
        Role::ListItem => Tag::LI.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        Role::HeaderCell { column: true } => Tag::TH(TableHeaderScope::Column).into(),
        Role::HeaderCell { column: false } => Tag::TH(TableHeaderScope::Row).into(),
        Role::Cell => Tag::TD.into(),
        Role::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
    }
}

impl Flow<'_> {
    /// Opens the structure of a grid inside the table element being drawn: a row element per
    /// row, a header or data cell element per cell, a figure for a cell's picture.
    pub(super) fn tag_grid(&mut self, g: &mut Grid) {
        let Some(table) = self.node else { return };
        for (rows, header) in [(&mut g.header, true), (&mut g.rows, false)] {
            for r in rows.iter_mut() {
                let row = self.open(Role::Row, Some(table));
                for c in &mut r.cells {
                    let role = if header || c.row_header {
                        Role::HeaderCell { column: header }
                    } else {
                        Role::Cell
                    };
                    let cell = self.open(role, Some(row));
                    c.node = Some(cell);
                    if c.image.is_some() {
                        c.figure = Some(self.open(Role::Figure("签名图片".into()), Some(cell)));
                    }
                }
            }
        }
    }
}

/// A heading of the document and where it starts: its page (0-based) and the top of its
/// first line (points from the page's top).
pub struct Heading<'a> {
    pub level: u8,
    pub title: &'a str,
    pub page: usize,
    pub top: f32,
}

/// The document's headings in order, each where its content starts (for an outline).
pub fn headings<'a>(nodes: &'a [Node], pages: &[Page]) -> Vec<Heading<'a>> {
    let mut starts: Vec<Option<(usize, f32)>> = vec![None; nodes.len()];
    for (p, page) in pages.iter().enumerate() {
        for &(at, node) in &page.marks {
            let Some(n) = node.map(|n| n as usize).filter(|&n| n < nodes.len()) else {
                continue;
            };
            if starts[n].is_none() {
                if let Some(Op::Text { y, size, .. }) = page.ops.get(at) {
                    starts[n] = Some((p, (y - size * 1.2).max(0.0)));
                }
            }
        }
    }
    nodes
        .iter()
        .zip(starts)
        .filter_map(|(node, start)| match (&node.role, start) {
            (Role::Heading(level, title), Some((page, top))) => Some(Heading {
                level: *level,
                title,
                page,
                top,
            }),
            _ => None,
        })
        .collect()
}
