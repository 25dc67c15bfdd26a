//! People and organisations: a person (object or bare name), an organisation, a project's
//! name, a signature line and a signatory.

use serde::Serialize;
use serde_json::Value;

use super::{Date, Image};
use crate::input::{type_name, Cx, FromJson, Schemas};
use crate::json_object;

json_object! {
    /// A person as an object; see [`Person`] for the bare-string form.
    pub struct PersonObject {
        name: String = req "姓名",
        department: Option<String> = opt "部门",
        title: Option<String> = opt "职务",
        contact: Option<String> = opt "联系方式",
    }
}

/// `{"name", "department", "title", "contact"}`, or a bare string taken as the name.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub department: Option<String>,
    pub title: Option<String>,
    pub contact: Option<String>,
    /// `name（department·title）`, as printed in documents.
    pub display: String,
}

impl FromJson for Person {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let p = match v {
            Value::String(s) => {
                let name = String::from_json(v, path, cx)?;
                if s.trim().is_empty() {
                    cx.error(path, "must not be empty");
                    return None;
                }
                PersonObject {
                    name,
                    department: None,
                    title: None,
                    contact: None,
                }
            }
            Value::Object(_) => PersonObject::from_json(v, path, cx)?,
            other => {
                cx.error(
                    path,
                    format!(
                        "must be a person: a name string or an object with \"name\"; got {}",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        let extras: Vec<&str> = [&p.department, &p.title]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let display = if extras.is_empty() {
            p.name.clone()
        } else {
            format!("{}（{}）", p.name, extras.join("·"))
        };
        Some(Person {
            name: p.name,
            department: p.department,
            title: p.title,
            contact: p.contact,
            display,
        })
    }

    fn schema(s: &mut Schemas) -> Value {
        s.component("Person", |s| {
            serde_json::json!({
                "description": "A person: an object with at least `name`, or a bare string taken as the name.",
                "oneOf": [
                    crate::input::label_schema(String::required_schema(s), "姓名"),
                    crate::input::label_schema(PersonObject::schema(s), "姓名及部门、职务"),
                ],
                "examples": ["王敏", {"name": "王敏", "department": "产品部", "title": "产品经理"}],
            })
        })
    }
}

json_object! {
    /// A signature line: who signs, for which department, when, and optionally the image.
    pub struct Signature {
        name: String = req "姓名",
        department: Option<String> = opt "部门",
        title: Option<String> = opt "职务",
        signed_on: Option<Date> = opt "签署日期",
        signature_image: Option<Image> = opt "签名图片",
    }
}

json_object! {
    /// The issuing organisation, printed in the page header.
    pub struct Organization {
        name: Option<String> = opt "单位名称",
        logo: Option<Image> = opt "标志",
    }
}

json_object! {
    /// A project reference with only a name.
    pub struct ProjectName {
        name: String = req "项目名称",
    }
}

json_object! {
    /// A signatory: a signature that must name the department it signs for.
    pub struct Signatory {
        name: String = req "姓名",
        /// The department this signatory signs for.
        department: String = req "部门",
        title: Option<String> = opt "职务",
        /// The signing date; every signatory's (and the approver's) makes the agreement signed.
        signed_on: Option<Date> = opt "签署日期",
        signature_image: Option<Image> = opt "签名图片",
    }
}

impl From<&Signatory> for Signature {
    fn from(s: &Signatory) -> Self {
        Signature {
            name: s.name.clone(),
            department: Some(s.department.clone()),
            title: s.title.clone(),
            signed_on: s.signed_on,
            signature_image: s.signature_image.clone(),
        }
    }
}
