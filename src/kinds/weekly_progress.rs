//! `weekly-progress` — 周进展表 / 协作任务跟进表 (seed 000 协作任务跟进表; seed 001 第三阶段).

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Prepared;
use crate::input::{child, member_rules, Cx, Rules};
use crate::json_enum;
use crate::values::{Date, Level, Organization, Percent, Person, ProjectName};

json_enum! {
    /// Where a task stands this week.
    pub enum TaskStatus {
        NotStarted = "not_started" / "未开始",
        InProgress = "in_progress" / "进行中",
        Done = "done" / "已完成",
        NeedSupport = "need_support" / "需支持",
        AtRisk = "at_risk" / "延期风险",
        Delayed = "delayed" / "已延期",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WeeklyProgressWeek", transform = crate::values::object_schema::<Self>)]
pub struct Week {
    #[schemars(title = "开始日期")]
    pub start: Date,
    #[schemars(title = "结束日期")]
    pub end: Date,
}

impl Rules for Week {
    fn rules(&self, path: &str, cx: &mut Cx) {
        if self.end < self.start {
            cx.error(
                format!("{path}/end"),
                format!(
                    "{} is before the week's start {}",
                    self.end.zh(),
                    self.start.zh()
                ),
            );
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WeeklyProgressTask", transform = crate::values::object_schema::<Self>)]
pub struct Task {
    #[schemars(title = "任务")]
    pub task: String,
    #[schemars(title = "负责人")]
    pub owner: Person,
    #[schemars(title = "部门")]
    pub department: Option<String>,
    #[schemars(title = "状态")]
    pub status: TaskStatus,
    #[schemars(title = "完成进度")]
    pub progress: Option<Percent>,
    #[schemars(title = "风险")]
    pub risk: Option<Level>,
    #[schemars(title = "截止日期")]
    pub due: Option<Date>,
    #[schemars(title = "备注")]
    pub note: Option<String>,
    #[schemars(title = "所需支持")]
    pub support_needed: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WeeklyProgressIssue", transform = crate::values::object_schema::<Self>)]
pub struct Issue {
    #[schemars(title = "问题描述")]
    pub description: String,
    #[serde(default)]
    #[schemars(title = "涉及部门", transform = crate::values::nullable)]
    pub departments: Vec<String>,
    #[schemars(title = "严重程度")]
    pub severity: Level,
    #[schemars(title = "影响")]
    pub impact: Option<String>,
    #[schemars(title = "解决建议")]
    pub proposal: Option<String>,
    #[schemars(title = "负责人")]
    pub owner: Option<Person>,
    #[schemars(title = "截止日期")]
    pub due: Option<Date>,
}

/// The payload of `weekly-progress`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct WeeklyProgress {
    /// 编号, printed top right.
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    /// The issuing organisation (name, logo), printed in the page header.
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    /// 项目.
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// 报告周期: the week's first and last day.
    #[schemars(title = "周次")]
    pub week: Week,
    /// 填报部门, when one department reports.
    #[schemars(title = "部门")]
    pub department: Option<String>,
    /// 填报人.
    #[schemars(title = "汇报人")]
    pub reporter: Person,
    /// 本周总结.
    #[schemars(title = "本周总结")]
    pub summary: Option<String>,
    /// 任务进展: at least one; a task due before the week's end and not done is flagged overdue.
    #[schemars(title = "任务", length(min = 1))]
    pub tasks: Vec<Task>,
    /// 问题跟踪: problems that need other departments.
    #[serde(default)]
    #[schemars(title = "问题与风险", transform = crate::values::nullable)]
    pub issues: Vec<Issue>,
    /// 下周计划.
    #[serde(default)]
    #[schemars(title = "下周计划", transform = crate::values::nullable)]
    pub next_week: Vec<String>,
}

impl Rules for WeeklyProgress {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        member_rules::<Week>(v, "week", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.week.rules(&child(path, "week"), cx);
    }
}

impl Task {
    /// Due before the end of the reported week and not done.
    pub fn overdue(&self, week_end: Date) -> bool {
        self.status != TaskStatus::Done && self.due.is_some_and(|d| d < week_end)
    }
}

impl WeeklyProgress {
    pub fn prepare(self, cx: &mut Cx) -> Prepared {
        for (i, t) in self.tasks.iter().enumerate() {
            if t.status == TaskStatus::Done && t.progress.is_some_and(|p| p.0 < 100.0) {
                cx.warn(
                    format!("/tasks/{i}/progress"),
                    "is below 100 for a task marked done (已完成)",
                );
            }
        }
        let total = self.tasks.len();
        let count = |s: TaskStatus| self.tasks.iter().filter(|t| t.status == s).count();
        let status_counts: Vec<_> = TaskStatus::ALL
            .iter()
            .map(|s| json!({"label": s.label(), "count": count(*s)}))
            .collect();
        let risk_counts: Vec<_> = Level::ALL
            .iter()
            .map(|l| json!({"label": l.label(), "count": self.tasks.iter().filter(|t| t.risk == Some(*l)).count()}))
            .collect();
        let done = count(TaskStatus::Done);
        let completion = if total == 0 {
            0.0
        } else {
            done as f64 * 100.0 / total as f64
        };
        let task_extras: Vec<_> = self
            .tasks
            .iter()
            .map(|t| {
                json!({
                    "overdue": t.overdue(self.week.end),
                    "progress_text": t.progress.map(|p| format!("{}%", crate::values::format_number(p.0))),
                    "progress_value": t.progress.map(|p| p.0 / 100.0),
                })
            })
            .collect();
        let overdue: Vec<_> = self
            .tasks
            .iter()
            .filter(|t| t.overdue(self.week.end))
            .map(|t| json!({"task": t.task, "owner": t.owner.display, "due": t.due, "status": t.status}))
            .collect();
        let derived = json!({
            "total": total,
            "done": done,
            "completion_rate": completion / 100.0,
            "completion_text": format!("{}%", crate::values::format_number((completion * 10.0).round() / 10.0)),
            "status_counts": status_counts,
            "risk_counts": risk_counts,
            "status_labels": TaskStatus::labels(),
            "level_labels": Level::labels(),
            "overdue": overdue,
        });
        let who = self
            .department
            .as_deref()
            .map(|d| format!("{}-", crate::values::safe_file_stem(d)))
            .unwrap_or_default();
        let stem = format!("周进展表-{who}{}", self.week.start.iso());
        Prepared::new(&self, derived, stem).extend_rows("tasks", task_extras)
    }
}

impl super::Hooks for WeeklyProgress {
    const SPLITS: &'static [super::Split] = &[super::Split {
        by: "department",
        summary: "One weekly-progress file per department, and the whole project's, in one ZIP",
        description: "Takes one project's weekly-progress payload and renders, for each department its tasks name, a weekly-progress document of that department's tasks and issues, plus the whole project's document, zipped with `manifest.json`.",
        zip: "The ZIP with one file per department, the whole project's file, and manifest.json.",
        parts: split_by_department,
    }];
}

/// Splits one project's weekly-progress payload by department: the whole project first,
/// then one payload per department (its tasks, and the issues that involve it), each built
/// only when it is taken.
fn split_by_department(data: Value) -> super::Parts {
    let start = data
        .pointer("/week/start")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let fallback = data
        .get("department")
        .and_then(Value::as_str)
        .unwrap_or("未指定部门")
        .to_string();
    // Each department with the indices of its tasks, in order of first appearance: found
    // once, so each part takes its own tasks without scanning everyone else's.
    let mut departments: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, t) in data
        .get("tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let d = t
            .get("department")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(&fallback);
        let at = *index.entry(d.to_string()).or_insert_with(|| {
            departments.push((d.to_string(), Vec::new()));
            departments.len() - 1
        });
        departments[at].1.push(i);
    }
    let data = std::sync::Arc::new(data);
    let whole = {
        let data = data.clone();
        let start = start.clone();
        std::iter::once_with(move || (format!("周进展表-全项目-{start}"), Value::clone(&data)))
    };
    let count = 1 + departments.len();
    let parts = departments.into_iter().map(move |(d, own)| {
        let mut part = serde_json::Map::new();
        for (k, v) in data.as_object().into_iter().flatten() {
            if k != "tasks" && k != "issues" {
                part.insert(k.clone(), v.clone());
            }
        }
        part.insert("department".into(), json!(d));
        let tasks = data.get("tasks").and_then(Value::as_array);
        part.insert(
            "tasks".into(),
            Value::Array(own.iter().filter_map(|&i| tasks?.get(i).cloned()).collect()),
        );
        if let Some(Value::Array(issues)) = data.get("issues") {
            let involved = |i: &&Value| {
                i.get("departments")
                    .and_then(Value::as_array)
                    .is_some_and(|ds| ds.iter().any(|x| x.as_str() == Some(d.as_str())))
            };
            part.insert(
                "issues".into(),
                Value::Array(issues.iter().filter(involved).cloned().collect()),
            );
        }
        (format!("周进展表-{d}-{start}"), Value::Object(part))
    });
    (count, Box::new(whole.chain(parts)))
}

#[cfg(test)]
mod read_tests {
    //! How the reader words what is wrong with a payload, tried on this kind's type.
    use serde_json::json;

    use serde_json::Value;

    use super::WeeklyProgress;
    use crate::input::{parse, Cx};
    use crate::kinds::DocumentKind;

    fn problems(v: &Value) -> Vec<(String, String)> {
        let mut cx = Cx::default();
        assert!(parse::<WeeklyProgress>(v, "", &mut cx).is_none());
        let mut found: Vec<_> = cx.errors.into_iter().map(|e| (e.path, e.message)).collect();
        found.sort();
        found
    }

    fn example() -> Value {
        serde_json::from_str(DocumentKind::WeeklyProgress.example()).unwrap()
    }

    #[test]
    fn every_problem_is_said_in_the_service_words_at_its_pointer() {
        let mut w = example();
        w["reporter"] = json!(null);
        w["summry"] = json!("typo");
        w["tasks"][0]["task"] = json!(" \u{1} ");
        w["tasks"][0]["due"] = json!("2026-02-29");
        w["tasks"][1]["status"] = json!("finished");
        w["tasks"][2]["progress"] = json!(120);
        w["tasks"][3]["owner"] = json!({"name": "周强", "dept": "技术部"});
        w["next_week"] = json!(["", "x".repeat(20_001)]);
        w["week"]["end"] = json!("2026-05-01");
        let found = problems(&w);
        let want = [
            ("/next_week/0", "must not be empty".to_string()),
            ("/next_week/1", "is 20001 characters long; the limit is 20000".into()),
            ("/reporter", "is required".into()),
            ("/summry", "is not a known field (did you mean \"summary\"?); known fields: document_no, organization, project, week, department, reporter, summary, tasks, issues, next_week".into()),
            ("/tasks/0/due", "must be a date as YYYY-MM-DD (e.g. 2026-07-28); got \"2026-02-29\"".into()),
            ("/tasks/0/task", "must not be empty".into()),
            ("/tasks/1/status", "must be one of not_started (未开始), in_progress (进行中), done (已完成), need_support (需支持), at_risk (延期风险), delayed (已延期); got \"finished\"".into()),
            ("/tasks/2/progress", "must be a number from 0 to 100".into()),
            ("/tasks/3/owner/dept", "is not a known field; known fields: name, department, title, contact".into()),
            // A rule of a part that can be read, with the problems of shape.
            ("/week/end", "2026年5月1日 is before the week's start 2026年6月1日".into()),
        ];
        let want: Vec<(String, String)> =
            want.into_iter().map(|(p, m)| (p.to_string(), m)).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn chinese_labels_null_and_blank_optional_members_and_control_characters_are_read() {
        let mut w = example();
        w["tasks"][0]["status"] = json!("已完成");
        w["tasks"][0]["risk"] = json!("高");
        w["tasks"][0]["note"] = json!("  ");
        w["tasks"][1]["note"] = json!(null);
        w["tasks"][2]["note"] = json!("甲\u{1}乙\r\n丙");
        w["issues"] = json!(null);
        let mut cx = Cx::default();
        let read = parse::<WeeklyProgress>(&w, "", &mut cx).expect("valid");
        assert!(cx.errors.is_empty(), "{:?}", cx.errors);
        let t = &read.tasks;
        assert_eq!(
            (t[0].status.code(), t[0].risk.map(|r| r.code())),
            ("done", Some("high"))
        );
        assert_eq!((t[0].note.as_deref(), t[1].note.as_deref()), (None, None));
        assert_eq!(t[2].note.as_deref(), Some("甲乙\n丙"));
        assert!(read.issues.is_empty());
        assert_eq!(read.reporter.display, "王芳（市场部·专员）");
    }

    #[test]
    fn dates_before_1900_and_impossible_times_are_refused() {
        let mut w = example();
        w["week"]["start"] = json!("1899-12-31");
        w["tasks"][0]["owner"] = json!(7);
        assert_eq!(
            problems(&w),
            [
                (
                    "/tasks/0/owner".to_string(),
                    "must be a person: a name string or an object with \"name\"; got a number"
                        .to_string()
                ),
                (
                    "/week/start".into(),
                    "must be a date as YYYY-MM-DD (e.g. 2026-07-28); got \"1899-12-31\"".into()
                ),
            ]
        );
    }

    #[test]
    fn past_the_listed_problems_the_rest_are_counted() {
        let mut w = example();
        let tasks: Vec<Value> = (0..300)
            .map(|_| json!({"task": "", "owner": "王芳", "status": "x"}))
            .collect();
        w["tasks"] = json!(tasks);
        let mut cx = Cx::default();
        assert!(parse::<WeeklyProgress>(&w, "", &mut cx).is_none());
        assert_eq!(cx.errors.len(), crate::error::MAX_LISTED_ERRORS);
        assert_eq!(cx.errors.len() + cx.errors_not_kept, 600);
    }
}
