//! The house styles a document is set in.

/// A house style: today's look, or the GB/T 9704-2012 党政机关公文格式.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The standard look: 宋体 body, 黑体 headings, tables in colour.
    #[default]
    Standard,
    /// GB/T 9704-2012: A4 with a 156 × 225 mm text block of 22 lines × 28 characters, 3号
    /// 仿宋-style body, 2号 小标宋-style title, a red 版头 and a 版记, page numbers "— 1 —".
    Official,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Standard, Profile::Official];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Standard => "standard",
            Profile::Official => "official",
        }
    }

    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The names for messages: `standard or official`.
    pub fn names() -> String {
        Profile::ALL.map(Profile::name).join(" or ")
    }
}

impl schemars::JsonSchema for Profile {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Profile".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "enum": Profile::ALL.map(Profile::name) })
    }
}
