//! `request-form` — 跨部门协作需求登记表 (seed 001 模板1; seed 000 《沟通协作需求提报表》).

use serde_json::json;

use super::meeting_minutes::TopicKind;
use super::{format_number, signature_views, Date, Organization, Person, Prepared, Signature};
use crate::input::Cx;
use crate::{json_enum, json_object};

json_enum! {
    /// The kind of resource asked for.
    pub enum ResourceType { People = "people" / "人力", Budget = "budget" / "预算", Equipment = "equipment" / "设备", Other = "other" / "其他" }
}

json_object! {
    pub struct Project { name: String = req, code: Option<String> = opt }
}

json_object! {
    pub struct DepartmentNeed {
        name: String = req,
        needs: String = req,
        contact: Option<Person> = opt,
    }
}

json_object! {
    pub struct Milestone { name: String = req, due: Date = req, owner: Option<Person> = opt }
}

json_object! {
    pub struct Topic {
        title: String = req,
        kind: Option<TopicKind> = opt,
        minutes: Option<u32> = opt,
        owner: Option<Person> = opt,
    }
}

json_object! {
    pub struct Resource {
        department: String = req,
        resource_type as "type": ResourceType = req,
        description: String = req,
        quantity: Option<f64> = opt,
        unit: Option<String> = opt,
    }
}

json_object! {
    /// The payload of `request-form`.
    pub struct RequestForm {
        document_no: Option<String> = opt,
        organization: Option<Organization> = opt,
        project: Project = req,
        requesting_department: String = req,
        requester: Person = req,
        submitted_on: Date = req,
        background: String = req,
        objectives: Vec<String> = list_min(1),
        expected_outcomes: Vec<String> = list,
        departments: Vec<DepartmentNeed> = list_min(1),
        milestones: Vec<Milestone> = list,
        topics: Vec<Topic> = list,
        department_inputs: Option<String> = opt,
        open_points: Vec<String> = list,
        resources: Vec<Resource> = list,
        reply_by: Option<Date> = opt,
        approvals: Vec<Signature> = list,
    }
    check(f, _path, cx) {
        if let Some(r) = f.reply_by {
            if r < f.submitted_on {
                cx.error("/reply_by", format!("{} is before the submission date {}", r.zh(), f.submitted_on.zh()));
            }
        }
    }
}

impl RequestForm {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (i, m) in self.milestones.iter().enumerate() {
            if m.due < self.submitted_on {
                cx.warn(
                    format!("/milestones/{i}/due"),
                    format!("is {}, before the form was submitted", m.due.zh()),
                );
            }
        }
        let topic_minutes: u32 = self.topics.iter().filter_map(|t| t.minutes).sum();
        let resource_extras: Vec<_> = self
            .resources
            .iter()
            .map(|r| json!({"quantity_text": r.quantity.map(format_number).unwrap_or_default()}))
            .collect();
        let derived = json!({
            "topic_minutes": topic_minutes,
            "signatures": signature_views(&self.approvals),
        });
        let stem = format!("协作需求登记表-{}", self.submitted_on.iso());
        Prepared::new(&self, derived, stem).extend_rows("resources", resource_extras)
    }
}
