//! The Word templates of a templates directory: `word/<name>/` holding `template.docx`,
//! `example.json` and `template.json` — `{"kind": "<kind>"}` for a template of a built-in
//! kind, or `{"title", "title_en", "schema"}` for a new kind named by the folder, with its JSON
//! Schema. Read together with the markup templates and, like them, proven against their
//! example before they are put in force.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{Fault, PackageLimits, WordTemplate};
use crate::kinds::DocumentKind;
use crate::template::TemplateError;

/// The most Word templates one directory may hold.
pub const MAX_TEMPLATES: usize = 200;

/// The most bytes a folder kind's schema may have.
pub const MAX_SCHEMA_BYTES: u64 = 1024 * 1024;

/// A kind of template file the templates directory holds, a folder each.
pub trait TemplateFile: Sized + std::fmt::Debug {
    /// The directory under the templates directory: `word`.
    const FOLDER: &'static str;
    /// The file in each template's folder: `template.docx`.
    const FILE: &'static str;
    fn read(bytes: Vec<u8>, limits: PackageLimits) -> Result<Self, Fault>;
}

impl TemplateFile for WordTemplate {
    const FOLDER: &'static str = "word";
    const FILE: &'static str = "template.docx";
    fn read(bytes: Vec<u8>, limits: PackageLimits) -> Result<Self, Fault> {
        WordTemplate::load(bytes, limits)
    }
}

/// One named template.
#[derive(Debug)]
pub struct Entry<T = WordTemplate> {
    /// The folder's name: `?template=<name>`, or the new kind's name.
    pub name: String,
    /// What data fills it.
    pub binding: Binding,
    pub template: T,
    /// The payload it is proven with (`example.json`).
    pub example: Value,
}

/// What data fills a Word template.
#[derive(Debug)]
pub enum Binding {
    /// A built-in kind's: `?template=<name>` on that kind's route.
    Kind(DocumentKind),
    /// A kind of its own, named by the folder: `POST /v1/documents/<name>`.
    Folder(FolderKind),
}

/// A kind a folder defines: its titles and its schema.
pub struct FolderKind {
    pub title: String,
    pub title_en: String,
    /// The JSON Schema of its payload, as `schema.json` has it.
    pub schema: Value,
    pub validator: crate::input::Validator,
}

impl std::fmt::Debug for FolderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderKind")
            .field("title", &self.title)
            .finish()
    }
}

impl<T> Entry<T> {
    /// The built-in kind it is a template of.
    pub fn kind(&self) -> Option<DocumentKind> {
        match &self.binding {
            Binding::Kind(k) => Some(*k),
            Binding::Folder(_) => None,
        }
    }

    /// The kind it defines.
    pub fn folder(&self) -> Option<&FolderKind> {
        match &self.binding {
            Binding::Folder(f) => Some(f),
            Binding::Kind(_) => None,
        }
    }

    /// The kind's name: the built-in kind's, or the folder's.
    pub fn kind_name(&self) -> &str {
        match &self.binding {
            Binding::Kind(k) => k.slug(),
            Binding::Folder(_) => &self.name,
        }
    }
}

/// The Word templates in force, by name.
/// The templates of one kind of file in force, by name.
#[derive(Debug)]
pub struct Library<T = WordTemplate> {
    entries: BTreeMap<String, Arc<Entry<T>>>,
}

impl<T> Default for Library<T> {
    fn default() -> Self {
        Library {
            entries: BTreeMap::new(),
        }
    }
}

/// What `template.json` says.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    kind: Option<String>,
    title: Option<String>,
    title_en: Option<String>,
    schema: Option<String>,
}

/// Whether a folder name can name a template: lower-case ASCII letters, digits and `-`, and
/// not `inspect` (`POST /v1/templates/word/inspect` reads a template sent to it).
pub fn valid_name(name: &str) -> bool {
    name != "inspect"
        && (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
}

impl<T: TemplateFile> Library<T> {
    /// Reads `dir/word/*/` (`dir/excel/*/`); no directory, or none of that name, is an empty
    /// library. A folder kind's schema is compiled for payloads under `input`.
    pub fn load(
        dir: Option<&Path>,
        limits: PackageLimits,
        input: crate::budget::Limits,
    ) -> Result<Library<T>, TemplateError> {
        let mut entries = BTreeMap::new();
        let Some(root) = dir.map(|d| d.join(T::FOLDER)).filter(|d| d.is_dir()) else {
            return Ok(Library { entries });
        };
        let io = |name: &str, path: &Path, e: &dyn std::fmt::Display| TemplateError::Io {
            name: name.to_string(),
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut folders: Vec<_> = std::fs::read_dir(&root)
            .map_err(|e| io(&format!("{}/", T::FOLDER), &root, &e))?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        if folders.len() > MAX_TEMPLATES {
            return Err(word_fault(
                &format!("{}/", T::FOLDER),
                format!(
                    "holds {} templates; at most {MAX_TEMPLATES} are read",
                    folders.len()
                ),
            ));
        }
        for name in folders {
            let at = format!("{}/{name}/", T::FOLDER);
            if !valid_name(&name) {
                return Err(word_fault(
                    &at,
                    "is not a template name: use lower-case letters, digits and '-' (it is the ?template= of requests)".into(),
                ));
            }
            let folder = root.join(&name);
            let read = |file: &str| -> Result<Vec<u8>, TemplateError> {
                let path = folder.join(file);
                let len = std::fs::metadata(&path)
                    .map_err(|e| io(&format!("{at}{file}"), &path, &e))?
                    .len();
                if len > limits.max_total_bytes {
                    return Err(word_fault(
                        &format!("{at}{file}"),
                        format!(
                            "is {len} bytes; the most read is {}",
                            limits.max_total_bytes
                        ),
                    ));
                }
                std::fs::read(&path).map_err(|e| io(&format!("{at}{file}"), &path, &e))
            };
            let json = |file: &str| -> Result<Value, TemplateError> {
                serde_json::from_slice(&read(file)?).map_err(|e| {
                    word_fault(&format!("{at}{file}"), format!("is not valid JSON: {e}"))
                })
            };
            let manifest: Manifest =
                serde_json::from_value(json("template.json")?).map_err(|e| {
                    word_fault(
                        &format!("{at}template.json"),
                        format!("must be {{\"kind\": \"<kind>\"}}: {e}"),
                    )
                })?;
            let manifest_fault =
                |message: String| word_fault(&format!("{at}template.json"), message);
            let binding = match (&manifest.kind, &manifest.schema) {
                (Some(slug), None) if manifest.title.is_none() && manifest.title_en.is_none() => {
                    Binding::Kind(DocumentKind::from_slug(slug).ok_or_else(|| {
                        manifest_fault(format!(
                            "names the kind \"{slug}\", which is not one of {}",
                            DocumentKind::ALL
                                .iter()
                                .map(|k| k.slug())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?)
                }
                (None, Some(schema_file)) => {
                    if DocumentKind::from_slug(&name).is_some() {
                        return Err(word_fault(
                            &at,
                            format!("defines a kind named {name}, which is a built-in kind: name the folder otherwise, or bind it with {{\"kind\": \"{name}\"}}"),
                        ));
                    }
                    let title = manifest
                        .title
                        .clone()
                        .filter(|t| !t.trim().is_empty() && t.chars().count() <= 40)
                        .ok_or_else(|| manifest_fault("needs a \"title\" (the kind's Chinese name, at most 40 characters) beside \"schema\"".into()))?;
                    if schema_file.contains(['/', '\\']) || schema_file.starts_with('.') {
                        return Err(manifest_fault(format!(
                            "names the schema \"{schema_file}\": a file in the template's own folder"
                        )));
                    }
                    let path = folder.join(schema_file);
                    let len = std::fs::metadata(&path)
                        .map_err(|e| io(&format!("{at}{schema_file}"), &path, &e))?
                        .len();
                    if len > MAX_SCHEMA_BYTES {
                        return Err(word_fault(
                            &format!("{at}{schema_file}"),
                            format!("is {len} bytes; a schema may have at most {MAX_SCHEMA_BYTES}"),
                        ));
                    }
                    let schema = json(schema_file)?;
                    let validator = crate::input::Validator::from_schema(schema.clone(), input)
                        .map_err(|e| {
                            word_fault(
                                &format!("{at}{schema_file}"),
                                format!("is not a JSON Schema this service can use (draft 2020-12, nothing outside the file): {e}"),
                            )
                        })?;
                    Binding::Folder(FolderKind {
                        title_en: manifest.title_en.clone().unwrap_or_else(|| name.clone()),
                        title,
                        schema,
                        validator,
                    })
                }
                _ => {
                    return Err(manifest_fault(
                        "must be {\"kind\": \"<built-in kind>\"} for a template of a built-in kind, or {\"title\": \"…\", \"title_en\": \"…\", \"schema\": \"schema.json\"} for a new kind".into(),
                    ))
                }
            };
            let template = T::read(read(T::FILE)?, limits)
                .map_err(|f| word_fault(&format!("{at}{}", T::FILE), f.to_string()))?;
            let example = json("example.json")?;
            entries.insert(
                name.clone(),
                Arc::new(Entry {
                    name,
                    binding,
                    template,
                    example,
                }),
            );
        }
        Ok(Library { entries })
    }
}

impl<T> Library<T> {
    pub fn get(&self, name: &str) -> Option<Arc<Entry<T>>> {
        self.entries.get(name).cloned()
    }

    /// The kind a folder defines under this name.
    pub fn folder_kind(&self, name: &str) -> Option<Arc<Entry<T>>> {
        self.get(name).filter(|e| e.folder().is_some())
    }

    /// The kinds folders define, by name.
    pub fn folder_kinds(&self) -> impl Iterator<Item = &Arc<Entry<T>>> {
        self.entries.values().filter(|e| e.folder().is_some())
    }

    pub fn entries(&self) -> impl Iterator<Item = &Arc<Entry<T>>> {
        self.entries.values()
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }
}

/// A Word template that cannot be used, named by its file.
pub fn word_fault(name: &str, message: String) -> TemplateError {
    TemplateError::Render {
        name: name.to_string(),
        message,
        position: None,
    }
}
