//! `communication-plan` — 沟通协调计划 (seed 003 二(三) 制定沟通协调计划; seed 001 第二阶段
//! 步骤3 建立沟通机制).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Prepared;
use crate::input::{Cx, Rules};
use crate::values::{Date, Organization, Person, ProjectName};

/// One planned communication.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CommunicationPlanItem", transform = crate::values::object_schema::<Self>)]
pub struct Item {
    /// 沟通目标: what this communication must achieve.
    #[schemars(title = "沟通目标")]
    pub goal: String,
    /// 沟通对象: departments or people; at least one.
    #[schemars(title = "对象", length(min = 1))]
    pub audience: Vec<String>,
    /// 沟通内容: the core topics and information.
    #[schemars(title = "沟通内容")]
    pub content: String,
    /// 沟通方式 (项目启动会, 例行协调会, 专题研讨会, 邮件, 即时通讯, 电话, 面谈 …).
    #[schemars(title = "渠道")]
    pub channel: String,
    /// 沟通频率 (每日, 每周五15:00, 按需 …).
    #[schemars(title = "频率")]
    pub frequency: String,
    /// 沟通负责人: who organises it.
    #[schemars(title = "负责人")]
    pub owner: Person,
    /// 触发条件 for communication that is not periodic.
    #[schemars(title = "触发条件")]
    pub trigger: Option<String>,
}

/// The standing mechanisms; each left out is filled from the guide.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CommunicationPlanMechanisms", transform = crate::values::object_schema::<Self>)]
pub struct Mechanisms {
    /// 日常沟通.
    #[schemars(title = "日常沟通")]
    pub daily: Option<String>,
    /// 周度同步.
    #[schemars(title = "每周例会")]
    pub weekly: Option<String>,
    /// 紧急沟通.
    #[schemars(title = "紧急沟通")]
    pub urgent: Option<String>,
}

/// The payload of `communication-plan`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct CommunicationPlan {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 计划负责人.
    #[schemars(title = "计划负责人")]
    pub owner: Person,
    /// 编制日期.
    #[schemars(title = "编制日期")]
    pub prepared_on: Date,
    /// 沟通事项: at least one.
    #[schemars(title = "沟通事项", length(min = 1))]
    pub items: Vec<Item>,
    /// 沟通机制: daily, weekly and urgent; the guide's when left out.
    #[schemars(title = "沟通机制")]
    pub mechanisms: Option<Mechanisms>,
    /// 会议议程与准备: how agendas and materials go out before important meetings.
    #[schemars(title = "会议准备")]
    pub meeting_preparation: Option<String>,
}

impl Rules for CommunicationPlan {}

impl CommunicationPlan {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (i, item) in self.items.iter().enumerate() {
            let on_demand = ["按需", "临时", "不定期", "随时"]
                .iter()
                .any(|w| item.frequency.contains(w));
            if on_demand && item.trigger.is_none() {
                cx.warn(
                    format!("/items/{i}/trigger"),
                    format!(
                        "is missing: \"{}\" is not periodic, so say what triggers it",
                        item.frequency
                    ),
                );
            }
        }
        let m = self.mechanisms.clone();
        let pick = |get: fn(&Mechanisms) -> Option<String>, default: &str| {
            m.as_ref()
                .and_then(get)
                .unwrap_or_else(|| default.to_string())
        };
        let d = defaults();
        let derived = json!({
            "daily": pick(|m| m.daily.clone(), &d.daily),
            "weekly": pick(|m| m.weekly.clone(), &d.weekly),
            "urgent": pick(|m| m.urgent.clone(), &d.urgent),
            "preparation": self.meeting_preparation.clone().unwrap_or_else(|| d.preparation.clone()),
        });
        let stem = format!(
            "沟通协调计划-{}",
            crate::values::safe_file_stem(&self.project.name)
        );
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for CommunicationPlan {}

/// The mechanisms a plan states where its payload leaves them out:
/// `templates/defaults/communication-plan.json`.
#[derive(Debug, serde::Deserialize)]
struct Defaults {
    daily: String,
    weekly: String,
    urgent: String,
    preparation: String,
}

fn defaults() -> &'static Defaults {
    static DEFAULTS: std::sync::OnceLock<Defaults> = std::sync::OnceLock::new();
    DEFAULTS.get_or_init(|| {
        super::defaults(include_str!(
            "../../templates/defaults/communication-plan.json"
        ))
    })
}
