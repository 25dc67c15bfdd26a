//! Tables in the markup: `<table>` with its `<col>`s, header, body and footer rows, cells that
//! span columns and rows.

use super::{children, inlines, parse_align, parse_hint, parse_num, Element, MarkupError, Parser};
use crate::document::*;

pub(super) fn table(p: &Parser<'_>, el: &Element) -> Result<Table, MarkupError> {
    let chart = match el.attr("chart") {
        None | Some("") => None,
        Some("column") => Some(ChartKind::Column),
        Some("bar") => Some(ChartKind::Bar),
        Some("pie") => Some(ChartKind::Pie),
        Some(v) => return Err(p.err(el.pos, format!("chart=\"{v}\" must be column, bar or pie"))),
    };
    let mut t = Table {
        name: el.attr("name").unwrap_or_default().to_string(),
        sheet: el
            .attr("sheet")
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string),
        chart,
        columns: Vec::new(),
        header: Vec::new(),
        rows: Vec::new(),
        footer: Vec::new(),
    };
    for c in children(p, el)? {
        match c.name.as_str() {
            "col" => t.columns.push(column(p, c)?),
            "thead" => t.header.extend(rows(p, c)?),
            "tbody" => t.rows.extend(rows(p, c)?),
            "tfoot" => t.footer.extend(rows(p, c)?),
            "tr" => t.rows.push(row(p, c)?),
            other => return Err(p.err(c.pos, format!("<table> cannot hold <{other}>"))),
        }
    }
    let width = |r: &Row| r.cells.iter().map(|c| c.colspan).sum::<usize>();
    let ncols = t
        .header
        .iter()
        .chain(&t.rows)
        .chain(&t.footer)
        .map(width)
        .max()
        .unwrap_or(0)
        .max(t.columns.len());
    if ncols == 0 {
        return Err(p.err(el.pos, "<table> has no columns"));
    }
    while t.columns.len() < ncols {
        t.columns.push(Column {
            width: 1.0,
            ..Column::default()
        });
    }
    Ok(t)
}

fn rows(p: &Parser<'_>, el: &Element) -> Result<Vec<Row>, MarkupError> {
    children(p, el)?
        .into_iter()
        .map(|c| {
            if c.name == "tr" {
                row(p, c)
            } else {
                Err(p.err(
                    c.pos,
                    format!("<{}> may only hold <tr>, not <{}>", el.name, c.name),
                ))
            }
        })
        .collect()
}

fn row(p: &Parser<'_>, el: &Element) -> Result<Row, MarkupError> {
    let flag = match el.attr("flag") {
        None | Some("") => None,
        Some(v) => Some(
            Tone::parse(v).ok_or_else(|| p.err(el.pos, format!("flag=\"{v}\" is not a colour")))?,
        ),
    };
    let mut cells = Vec::new();
    for c in children(p, el)? {
        if c.name != "td" && c.name != "th" {
            return Err(p.err(
                c.pos,
                format!("<tr> may only hold <td> or <th>, not <{}>", c.name),
            ));
        }
        let mut text = inlines(p, c)?;
        if c.name == "th" {
            for s in &mut text {
                s.bold = true;
            }
        }
        cells.push(Cell {
            text,
            colspan: parse_num(p, c, "colspan", 1usize)?.max(1),
            rowspan: parse_num(p, c, "rowspan", 1usize)?.max(1),
            hint: parse_hint(p, c)?,
            align: parse_align(p, c)?,
        });
    }
    Ok(Row { cells, flag })
}

/// A `<col>`: its width, type, alignment, and for an enumeration its options and colours.
fn column(p: &Parser<'_>, c: &Element) -> Result<Column, MarkupError> {
    let kind = match c.attr("type").unwrap_or("text") {
        "text" => ColumnType::Text,
        "date" => ColumnType::Date,
        "number" => ColumnType::Number,
        "percent" => ColumnType::Percent,
        "enum" => ColumnType::Enum,
        v => {
            return Err(p.err(
                c.pos,
                format!("type=\"{v}\" must be text, date, number, percent or enum"),
            ))
        }
    };
    let split = |s: Option<&str>| -> Vec<String> {
        s.filter(|s| !s.is_empty())
            .map(|s| s.split('|').map(|x| x.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let options = split(c.attr("options"));
    let mut colors = Vec::new();
    for name in split(c.attr("colors")) {
        if name.is_empty() || name == "none" {
            colors.push(None);
        } else {
            colors.push(Some(Tone::parse(&name).ok_or_else(|| {
                p.err(
                    c.pos,
                    format!("colour \"{name}\" must be red, amber, green, blue, gray or purple"),
                )
            })?));
        }
    }
    Ok(Column {
        width: parse_num(p, c, "width", 1.0f32)?.max(0.1),
        kind,
        align: parse_align(p, c)?,
        options,
        colors,
    })
}
