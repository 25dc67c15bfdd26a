//! People and organisations: a person (object or bare name), an organisation, a project's
//! name, a signature line and a signatory.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, Image};

/// A person as an object; see [`Person`] for the bare-string form.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct PersonObject {
    #[schemars(title = "姓名")]
    pub name: String,
    #[schemars(title = "部门")]
    pub department: Option<String>,
    #[schemars(title = "职务")]
    pub title: Option<String>,
    #[schemars(title = "联系方式")]
    pub contact: Option<String>,
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

impl<'de> serde::Deserialize<'de> for Person {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Form {
            Name(String),
            Full(PersonObject),
        }
        let p = match Form::deserialize(d)? {
            Form::Name(name) => PersonObject {
                name,
                department: None,
                title: None,
                contact: None,
            },
            Form::Full(p) => p,
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
        Ok(Person {
            name: p.name,
            department: p.department,
            title: p.title,
            contact: p.contact,
            display,
        })
    }
}

impl schemars::JsonSchema for Person {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Person".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut object = g.subschema_for::<PersonObject>().to_value();
        object["title"] = serde_json::json!("姓名及部门、职务");
        schemars::json_schema!({
            "description": "A person: an object with at least `name`, or a bare string taken as the name.",
            "oneOf": [
                { "type": "string", "pattern": crate::values::NOT_BLANK, "title": "姓名" },
                object,
            ],
            "examples": ["王敏", {"name": "王敏", "department": "产品部", "title": "产品经理"}],
        })
    }
}

/// A signature line: who signs, for which department, when, and optionally the image.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct Signature {
    #[schemars(title = "姓名")]
    pub name: String,
    #[schemars(title = "部门")]
    pub department: Option<String>,
    #[schemars(title = "职务")]
    pub title: Option<String>,
    #[schemars(title = "签署日期")]
    pub signed_on: Option<Date>,
    #[schemars(title = "签名图片")]
    pub signature_image: Option<Image>,
}

/// The issuing organisation, printed in the page header.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct Organization {
    #[schemars(title = "单位名称")]
    pub name: Option<String>,
    #[schemars(title = "标志")]
    pub logo: Option<Image>,
}

/// A project reference with only a name.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct ProjectName {
    #[schemars(title = "项目名称")]
    pub name: String,
}

/// A signatory: a signature that must name the department it signs for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct Signatory {
    #[schemars(title = "姓名")]
    pub name: String,
    /// The department this signatory signs for.
    #[schemars(title = "部门")]
    pub department: String,
    #[schemars(title = "职务")]
    pub title: Option<String>,
    /// The signing date; every signatory's (and the approver's) makes the agreement signed.
    #[schemars(title = "签署日期")]
    pub signed_on: Option<Date>,
    #[schemars(title = "签名图片")]
    pub signature_image: Option<Image>,
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
