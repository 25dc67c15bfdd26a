//! What a tag of a Word template is: its kinds (a value, a block's open, else and close, a
//! picture, a comment) read from its text, the Handlebars source each becomes, and the fields
//! of the view the tags read.

/// A tag of a template, where it stands and what it does.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Tag {
    /// The part it is in: `word/document.xml`, `word/header1.xml`, …
    pub part: String,
    /// The tag as written, joined over the runs Word split it into.
    pub text: String,
    /// The paragraph around it (or where it stands), for finding it.
    pub paragraph: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub kind: TagKind,
    /// Moved out of the text to where its block repeats.
    #[serde(skip)]
    pub(crate) moved: bool,
}

/// What a tag does.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "does", rename_all = "kebab-case")]
pub enum TagKind {
    /// Writes a value (`{{doc.title}}`, `{{date doc.meeting.date}}`).
    Value {
        expr: String,
    },
    /// Opens a block: `each` repeats, `if`/`unless` keep or drop, `with` narrows.
    Open {
        helper: String,
        expr: String,
    },
    Else,
    Close {
        helper: String,
    },
    /// Places a picture from a `data:` URI, in a placeholder's box or at the size named.
    Image {
        expr: String,
        /// Millimetres.
        width: Option<f32>,
        height: Option<f32>,
        #[serde(skip)]
        placeholder: Option<usize>,
    },
    /// `{{! … }}`: written nowhere.
    Comment,
}

const BLOCK_HELPERS: [&str; 4] = ["each", "if", "unless", "with"];

impl TagKind {
    /// Reads a tag (`{{…}}` or `{{{…}}}`); `Err` says what is wrong with it.
    pub fn parse(raw: &str) -> Result<TagKind, String> {
        let inner = raw
            .strip_prefix("{{{")
            .and_then(|s| s.strip_suffix("}}}"))
            .or_else(|| raw.strip_prefix("{{").and_then(|s| s.strip_suffix("}}")))
            .ok_or("is not a tag")?;
        let inner: String = inner
            .chars()
            .map(|c| match c {
                '“' | '”' | '„' | '＂' => '"',
                '‘' | '’' | '＇' => '\'',
                '\u{a0}' | '\u{3000}' => ' ',
                c => c,
            })
            .collect();
        let inner = inner.trim().trim_matches('~').trim();
        if inner.is_empty() {
            return Err("is empty".into());
        }
        if inner.starts_with('!') {
            return Ok(TagKind::Comment);
        }
        if inner == "else" || inner == "^" {
            return Ok(TagKind::Else);
        }
        if let Some(rest) = inner.strip_prefix('#') {
            let (helper, expr) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if !BLOCK_HELPERS.contains(&helper) {
                return Err(format!(
                    "opens a block with #{helper}, which is not one of #each, #if, #unless, #with"
                ));
            }
            if expr.trim().is_empty() {
                return Err(format!("opens #{helper} without saying over what"));
            }
            return Ok(TagKind::Open {
                helper: helper.into(),
                expr: expr.trim().into(),
            });
        }
        if let Some(helper) = inner.strip_prefix('/') {
            return Ok(TagKind::Close {
                helper: helper.trim().into(),
            });
        }
        if inner.starts_with('>') {
            return Err("includes a partial, which Word templates do not have".into());
        }
        let inner = inner.trim_start_matches('&').trim();
        if let Some(rest) = inner.strip_prefix("image") {
            if rest.starts_with(char::is_whitespace) {
                return image(rest.trim());
            }
        }
        Ok(TagKind::Value {
            expr: inner.to_string(),
        })
    }

    /// The tag as the Handlebars template has it.
    pub(crate) fn source(&self) -> String {
        match self {
            // A field named like a helper (`{{date}}` of a row with a `date`) is the field:
            // a helper always takes an argument.
            TagKind::Value { expr } if crate::template::HELPERS.contains(&expr.as_str()) => {
                format!("{{{{this.{expr}}}}}")
            }
            TagKind::Value { expr } => format!("{{{{{expr}}}}}"),
            TagKind::Open { helper, expr } => format!("{{{{#{helper} {expr}}}}}"),
            TagKind::Else => "{{else}}".into(),
            TagKind::Close { helper } => format!("{{{{/{helper}}}}}"),
            TagKind::Image {
                expr,
                width,
                height,
                placeholder,
            } => format!(
                "{{{{collabdocs-image {expr} box={} width={} height={}}}}}",
                placeholder.map_or(-1, |b| b as i64),
                width.unwrap_or(0.0),
                height.unwrap_or(0.0)
            ),
            TagKind::Comment => String::new(),
        }
    }

    /// The value the tag reads (`doc.title`), if it reads one.
    pub fn binds(&self) -> Option<&str> {
        match self {
            TagKind::Value { expr } | TagKind::Open { expr, .. } | TagKind::Image { expr, .. } => {
                Some(expr)
            }
            _ => None,
        }
    }
}

/// The fields of the view each tag reads, as full paths: a tag inside `{{#each doc.items}}`
/// that writes `{{owner.name}}` reads `doc.items[].owner.name`; helpers' names, literals and
/// `@index`-like variables are not fields.
pub fn bindings(tags: &[Tag]) -> Vec<Vec<String>> {
    // The context each open block gives its inside, innermost last.
    let mut stack: Vec<String> = vec![String::new()];
    let resolve = |stack: &[String], path: &str| -> Option<String> {
        if path.starts_with('@') && !path.starts_with("@root") {
            return None;
        }
        if let Some(rest) = path.strip_prefix("@root.") {
            return Some(rest.to_string());
        }
        let mut depth = stack.len() - 1;
        let mut rest = path;
        while let Some(r) = rest.strip_prefix("../") {
            depth = depth.saturating_sub(1);
            rest = r;
        }
        let base = &stack[depth];
        let rest = rest.strip_prefix("this.").unwrap_or(rest);
        Some(match (base.is_empty(), rest) {
            (_, "this") | (_, ".") => base.clone(),
            (true, r) => r.to_string(),
            (false, r) => format!("{base}.{r}"),
        })
    };
    let fields = |stack: &[String], expr: &str| -> Vec<String> {
        let tokens: Vec<&str> = expr.split_whitespace().collect();
        // With arguments the first word names a helper.
        let args = if tokens.len() > 1 {
            &tokens[1..]
        } else {
            &tokens[..]
        };
        args.iter()
            .map(|t| t.split_once('=').map_or(*t, |(_, v)| v))
            .filter(|t| {
                !t.starts_with(['"', '\'', '“', '‘'])
                    && !t.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                    && !matches!(*t, "true" | "false" | "null")
            })
            .filter_map(|t| resolve(stack, t))
            .collect()
    };
    let mut out = Vec::with_capacity(tags.len());
    for t in tags {
        match &t.kind {
            TagKind::Value { expr } | TagKind::Image { expr, .. } => out.push(fields(&stack, expr)),
            TagKind::Open { helper, expr } => {
                let read = fields(&stack, expr);
                let inside = match helper.as_str() {
                    "each" => read.first().map(|f| format!("{f}[]")),
                    "with" => read.first().cloned(),
                    _ => None,
                }
                .unwrap_or_else(|| stack.last().cloned().unwrap_or_default());
                stack.push(inside);
                out.push(read);
            }
            TagKind::Close { .. } => {
                if stack.len() > 1 {
                    stack.pop();
                }
                out.push(Vec::new());
            }
            _ => out.push(Vec::new()),
        }
    }
    out
}

/// `{{image doc.logo width=40mm height=20mm}}`.
fn image(args: &str) -> Result<TagKind, String> {
    let mut parts = args.split_whitespace();
    let expr = parts
        .next()
        .ok_or("names no picture: {{image doc.logo}}")?
        .to_string();
    let (mut width, mut height) = (None, None);
    for p in parts {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("has “{p}”; a picture tag takes width=…mm and height=…mm"))?;
        let (num, scale) = if let Some(n) = v.strip_suffix("mm") {
            (n, 1.0)
        } else if let Some(n) = v.strip_suffix("cm") {
            (n, 10.0)
        } else {
            (v, 1.0)
        };
        let mm = num
            .parse::<f32>()
            .ok()
            .filter(|n| *n > 0.0 && *n <= 1000.0)
            .map(|n| n * scale)
            .ok_or_else(|| format!("has {k}={v}: a size from 0 to 1000 mm"))?;
        match k {
            "width" => width = Some(mm),
            "height" => height = Some(mm),
            _ => return Err(format!("has {k}=…; a picture tag takes width and height")),
        }
    }
    Ok(TagKind::Image {
        expr,
        width,
        height,
        placeholder: None,
    })
}
