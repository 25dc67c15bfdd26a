//! Handlebars templates (strict mode, XML escaping) that turn a kind's view model into markup.
//!
//! The built-in templates are compiled into the binary; an operator may point the service at a
//! directory holding replacements (`<kind>.hbs`, `partials/<name>.hbs`).

use std::path::Path;

use handlebars::{handlebars_helper, Handlebars};
use serde_json::Value;

use crate::kinds::DocumentKind;
use crate::values::Profile;
use crate::values::{xml_escape, Date};

const BUILTIN_PARTIALS: &[(&str, &str)] = &[
    (
        "furniture",
        include_str!("../templates/partials/furniture.hbs"),
    ),
    (
        "signatures",
        include_str!("../templates/partials/signatures.hbs"),
    ),
];

/// A template that failed to load or render, named with its position.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {message}")]
    Syntax {
        name: String,
        message: String,
        /// 1-based line and column, where the template engine tells.
        position: Option<(usize, usize)>,
    },
    #[error("template {name} could not be read from {path}: {message}")]
    Io {
        name: String,
        path: String,
        message: String,
    },
    #[error("template {name}: {message}")]
    Render {
        name: String,
        message: String,
        position: Option<(usize, usize)>,
    },
    #[error("template {name} produced invalid markup at {error} — markup line: {line}")]
    Markup {
        name: String,
        /// Where in the markup and what is wrong (`line 3, column 5: …`).
        error: String,
        line: String,
    },
}

impl TemplateError {
    /// The template's file name (`meeting-minutes.hbs`, `partials/signatures.hbs`).
    pub fn template(&self) -> &str {
        match self {
            TemplateError::Syntax { name, .. }
            | TemplateError::Io { name, .. }
            | TemplateError::Render { name, .. }
            | TemplateError::Markup { name, .. } => name,
        }
    }

    /// Line and column in the template, where known.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            TemplateError::Syntax { position, .. } | TemplateError::Render { position, .. } => {
                *position
            }
            _ => None,
        }
    }
}

pub struct Templates {
    hb: Handlebars<'static>,
}

handlebars_helper!(date_zh: |v: Json| match v.as_str().and_then(Date::parse) {
    Some(d) => d.zh(),
    None => v.as_str().unwrap_or_default().to_string(),
});

handlebars_helper!(inc: |v: u64| v + 1);

handlebars_helper!(add: |a: u64, b: u64| a + b);

handlebars_helper!(cn_num: |v: u64| chinese_number(v));

handlebars_helper!(join: |list: Json, sep: str| {
    match list {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o
                    .get("display")
                    .or_else(|| o.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(sep),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
});

/// 1 → 一, 12 → 十二, for section numbering.
pub fn chinese_number(n: u64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n % 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// A Handlebars registry as every template of the service has it: strict (a missing field is
/// an error, not an empty string), the helpers `date`, `inc`, `add`, `cn` and `join`, and
/// `escape` for every value written.
pub fn handlebars(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape);
    hb.register_helper("date", Box::new(date_zh));
    hb.register_helper("inc", Box::new(inc));
    hb.register_helper("add", Box::new(add));
    hb.register_helper("cn", Box::new(cn_num));
    hb.register_helper("join", Box::new(join));
    hb
}

/// The helpers a template may call, for messages.
pub const HELPERS: [&str; 5] = ["date", "inc", "add", "cn", "join"];

impl Templates {
    /// Loads the built-in templates, or those in `dir` where it has a file of the same name.
    pub fn load(dir: Option<&Path>) -> Result<Self, TemplateError> {
        let mut hb = handlebars(xml_escape);
        let read =
            |rel: String, name: &str, builtin: &'static str| -> Result<String, TemplateError> {
                match dir.map(|d| d.join(&rel)) {
                    Some(path) if path.exists() => {
                        std::fs::read_to_string(&path).map_err(|e| TemplateError::Io {
                            name: format!("{name}.hbs"),
                            path: path.display().to_string(),
                            message: e.to_string(),
                        })
                    }
                    _ => Ok(builtin.to_string()),
                }
            };
        for (name, src) in BUILTIN_PARTIALS {
            let file = format!("partials/{name}");
            let src = read(format!("{file}.hbs"), &file, src)?;
            hb.register_partial(name, src)
                .map_err(|e| syntax(&file, &e))?;
        }
        for kind in DocumentKind::ALL {
            let name = kind.slug();
            let src = read(format!("{name}.hbs"), name, kind.template())?;
            hb.register_template_string(name, src)
                .map_err(|e| syntax(name, &e))?;
            if let Some(official) = kind.official_template() {
                let name = template_name(*kind, Profile::Official);
                let src = read(format!("{name}.hbs"), &name, official)?;
                hb.register_template_string(&name, src)
                    .map_err(|e| syntax(&name, &e))?;
            }
        }
        Ok(Self { hb })
    }

    /// Renders a kind's template to markup.
    /// Renders a kind's template. The context is taken by value: handlebars given a
    /// reference would serialise a copy of the whole tree first.
    pub fn render(
        &self,
        kind: DocumentKind,
        profile: Profile,
        context: Value,
    ) -> Result<String, TemplateError> {
        let name = template_name(kind, profile);
        self.hb
            .render_with_context(&name, &handlebars::Context::from(context))
            .map_err(|e| TemplateError::Render {
                name: format!("{name}.hbs"),
                message: e.to_string(),
                position: e.line_no.zip(e.column_no),
            })
    }
}

/// A template's name (and file stem): `meeting-minutes`, `official/meeting-minutes`.
pub fn template_name(kind: DocumentKind, profile: Profile) -> String {
    match profile {
        Profile::Standard => kind.slug().to_string(),
        Profile::Official => format!("official/{}", kind.slug()),
    }
}

fn syntax(name: &str, e: &handlebars::TemplateError) -> TemplateError {
    TemplateError::Syntax {
        name: format!("{name}.hbs"),
        message: e.to_string(),
        position: e.pos(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_equals_signs_alone() {
        assert_eq!(
            xml_escape("=SUM(A1)&<b>\"'\n"),
            "=SUM(A1)&amp;&lt;b&gt;&quot;&apos;&#10;"
        );
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
    }
}
