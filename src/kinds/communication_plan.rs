//! `communication-plan` — 沟通协调计划 (seed 003 二(三) 制定沟通协调计划; seed 001 第二阶段
//! 步骤3 建立沟通机制).

use serde_json::json;

use super::Prepared;
use crate::input::Cx;
use crate::json_object;
use crate::values::{Date, Organization, Person, ProjectName};

json_object! {
    /// One planned communication.
    pub struct Item {
        /// 沟通目标: what this communication must achieve.
        goal: String = req "沟通目标",
        /// 沟通对象: departments or people; at least one.
        audience: Vec<String> = list_min(1) "对象",
        /// 沟通内容: the core topics and information.
        content: String = req "沟通内容",
        /// 沟通方式 (项目启动会, 例行协调会, 专题研讨会, 邮件, 即时通讯, 电话, 面谈 …).
        channel: String = req "渠道",
        /// 沟通频率 (每日, 每周五15:00, 按需 …).
        frequency: String = req "频率",
        /// 沟通负责人: who organises it.
        owner: Person = req "负责人",
        /// 触发条件 for communication that is not periodic.
        trigger: Option<String> = opt "触发条件",
    }
}

json_object! {
    /// The standing mechanisms; each left out is filled from the guide.
    pub struct Mechanisms {
        /// 日常沟通.
        daily: Option<String> = opt "日常沟通",
        /// 周度同步.
        weekly: Option<String> = opt "每周例会",
        /// 紧急沟通.
        urgent: Option<String> = opt "紧急沟通",
    }
}

json_object! {
    /// The payload of `communication-plan`.
    pub struct CommunicationPlan {
        /// 编号, printed top right.
        document_no: Option<String> = opt "编号",
        /// The issuing organisation (name, logo), printed in the page header.
        organization: Option<Organization> = opt "单位信息",
        /// 项目.
        project: ProjectName = req "所属项目",
        /// 计划负责人.
        owner: Person = req "计划负责人",
        /// 编制日期.
        prepared_on: Date = req "编制日期",
        /// 沟通事项: at least one.
        items: Vec<Item> = list_min(1) "沟通事项",
        /// 沟通机制: daily, weekly and urgent; the guide's when left out.
        mechanisms: Option<Mechanisms> = opt "沟通机制",
        /// 会议议程与准备: how agendas and materials go out before important meetings.
        meeting_preparation: Option<String> = opt "会议准备",
    }
}

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
