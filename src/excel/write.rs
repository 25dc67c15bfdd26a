//! The filled workbook written: what names the sheets' cells outside them followed (defined
//! names, tables, charts, the sheet list of repeated sheets), the package written with every
//! untouched part copied as it was.

use std::collections::HashMap;

use super::follow::{
    drop_elements_naming, rewrite_element_text, rewrite_ranges, serialize, set_attr,
};
use super::refs::{self, RowMap};
use super::{part_fault, rels, repeat, ExcelTemplate};
use crate::word::package::resolve;
use crate::word::xml::{self, Node};
use crate::word::Fault;

impl ExcelTemplate {
    /// Everything outside the sheets that names their cells: defined names, tables, charts;
    /// the workbook told to recalculate on open.
    pub(super) fn follow(
        &self,
        parts: &mut HashMap<String, String>,
        maps: &HashMap<String, RowMap>,
        instances: &[repeat::Instance],
        renames: &[(String, String)],
    ) -> Result<(), Fault> {
        let repeated = self.sheets.iter().any(|s| s.repeat.is_some());
        if maps.values().all(RowMap::is_identity) && !repeated {
            return Ok(());
        }
        let wb = self
            .package
            .text("xl/workbook.xml", self.limits)
            .map_err(Fault::Package)?;
        let mut tree = xml::parse(&wb).map_err(|m| part_fault("xl/workbook.xml", m))?;
        for root in tree.iter_mut().filter_map(|n| match n {
            Node::El(e) => Some(e),
            _ => None,
        }) {
            if repeated {
                let order: Vec<Option<usize>> = root
                    .child("sheets")
                    .map(|s| {
                        s.elements()
                            .map(|e| {
                                let rid = e.attr("r:id").unwrap_or_default();
                                self.sheets.iter().position(|t| t.rid == rid)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                repeat::workbook(root, &order, instances, renames);
            }
            let mut has_calc = false;
            for e in root.children.iter_mut() {
                let Node::El(e) = e else { continue };
                match e.name.as_str() {
                    "definedNames" => {
                        for d in e.children.iter_mut() {
                            let Node::El(d) = d else { continue };
                            let old = d.text();
                            let new = refs::rewrite(&old, "", maps, None);
                            if new != old {
                                d.children = vec![Node::Text(xml::escape(&new))];
                            }
                        }
                    }
                    "calcPr" => {
                        has_calc = true;
                        e.start = set_attr(&e.start, "fullCalcOnLoad", "1");
                    }
                    _ => {}
                }
            }
            if !has_calc {
                root.children
                    .push(Node::Other("<calcPr fullCalcOnLoad=\"1\"/>".into()));
            }
        }
        let out = serialize(&tree);
        parts.insert("xl/workbook.xml".into(), out);
        // Tables (by the sheet they belong to) and charts (their references name sheets).
        for inst in instances.iter().filter(|i| i.copy == 0) {
            let s = &self.sheets[inst.sheet];
            let (dir, file) = s.part.rsplit_once('/').unwrap_or(("", &s.part));
            for target in rels(
                &self.package,
                &format!("{dir}/_rels/{file}.rels"),
                self.limits,
            )
            .values()
            {
                let name = resolve(dir, target);
                if name.starts_with("xl/tables/") {
                    let text = self
                        .package
                        .text(&name, self.limits)
                        .map_err(Fault::Package)?;
                    let mut tree = xml::parse(&text).map_err(|m| part_fault(&name, m))?;
                    for e in tree.iter_mut().filter_map(|n| match n {
                        Node::El(e) => Some(e),
                        _ => None,
                    }) {
                        rewrite_ranges(e, &inst.name, maps);
                    }
                    let out = serialize(&tree);
                    parts.insert(name, out);
                }
            }
        }
        for name in self
            .package
            .names
            .iter()
            .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        {
            let text = self
                .package
                .text(name, self.limits)
                .map_err(Fault::Package)?;
            let new = rewrite_element_text(&repeat::renamed(&text, renames), maps);
            if new != text {
                parts.insert(name.clone(), new);
            }
        }
        Ok(())
    }

    /// The filled package: every part as it was but those filled; `new` sheet parts (with
    /// their workbook relationship) added, and their content types.
    pub(super) fn write(
        &self,
        mut parts: HashMap<String, String>,
        new: &[(&str, &str)],
    ) -> Result<Vec<u8>, Fault> {
        let bad = |e: zip::result::ZipError| Fault::Package(format!("could not be written ({e})"));
        let moved = parts.contains_key("xl/workbook.xml");
        if moved {
            // calcChain names cells by place; after rows moved it would point at the wrong ones.
            for (name, xml) in [
                (
                    "[Content_Types].xml",
                    self.package
                        .text("[Content_Types].xml", self.limits)
                        .map_err(Fault::Package)?,
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    self.package
                        .text("xl/_rels/workbook.xml.rels", self.limits)
                        .unwrap_or_default(),
                ),
            ] {
                let mut xml = drop_elements_naming(&xml, "calcChain");
                if !new.is_empty() {
                    xml = if name == "[Content_Types].xml" {
                        let names: Vec<&str> = new.iter().map(|(_, p)| *p).collect();
                        repeat::content_types(&xml, &names)
                    } else {
                        repeat::workbook_rels(&xml, new)
                    };
                }
                parts.insert(name.to_string(), xml);
            }
        }
        let out = self.package.rewrite(
            parts,
            &|name| moved && name == "xl/calcChain.xml",
            &crate::render::zip_entry_options,
        );
        Ok(out.and_then(|o| o.finish()).map_err(bad)?.into_inner())
    }
}
