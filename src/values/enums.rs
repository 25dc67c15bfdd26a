//! Closed sets of values (`json_enum!`): English codes on the wire, Chinese labels accepted in
//! their place and used when rendering.

#[macro_export]
macro_rules! json_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident { $( $variant:ident = $code:literal / $label:literal ),+ $(,)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label ),+ }
            }

            /// The accepted spellings: the code, or its Chinese label.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $( $code | $label => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The Chinese labels joined by `|`, for dropdowns and markup hints.
            pub fn labels() -> String {
                [$( $label ),+].join("|")
            }
        }

        impl serde::Serialize for $name {
            /// Rendering uses the Chinese label.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.label())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown value \"{s}\"")))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $crate::values::component_name(module_path!(), stringify!($name)).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                {
                    let doc = [$($doc),*].iter().map(|l: &&str| l.trim()).collect::<Vec<_>>().join(" ");
                    let values: Vec<String> = $name::ALL
                        .iter()
                        .map(|x| format!("`{}` ({})", x.code(), x.label()))
                        .collect();
                    schemars::json_schema!({
                        "type": "string",
                        "enum": [$( $code ),+ , $( $label ),+],
                        "x-enum-labels": { $( $code: $label ),+ },
                        "description": format!(
                            "{doc} One of {}; the Chinese label is accepted in place of the code.",
                            values.join(", ")
                        ).trim().to_string(),
                    })
                }
            }
        }
    };
}
