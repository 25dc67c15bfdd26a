//! `raci-matrix` — 责任矩阵 (seed 001 第二阶段 步骤1 制定责任矩阵).

use serde::Serialize;
use serde_json::{json, Value};

use super::Prepared;
use crate::input::{child, type_name, Cx, FromJson, Schemas};
use crate::json_object;
use crate::values::{Date, Organization, Person, ProjectName};

/// One RACI letter; `A/R` is one party both accountable and responsible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    R,
    A,
    C,
    I,
    AR,
}

impl Letter {
    pub const ALL: [Letter; 5] = [Letter::R, Letter::A, Letter::C, Letter::I, Letter::AR];

    pub fn code(self) -> &'static str {
        match self {
            Letter::R => "R",
            Letter::A => "A",
            Letter::C => "C",
            Letter::I => "I",
            Letter::AR => "A/R",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Letter::R => "负责",
            Letter::A => "审批",
            Letter::C => "咨询",
            Letter::I => "知会",
            Letter::AR => "审批/负责",
        }
    }

    /// Every accepted spelling.
    pub const SPELLINGS: &'static [&'static str] = &[
        "R",
        "A",
        "C",
        "I",
        "A/R",
        "R/A",
        "AR",
        "负责",
        "审批",
        "咨询",
        "知会",
        "审批/负责",
    ];

    pub fn parse(s: &str) -> Option<Letter> {
        Some(match s {
            "R" | "负责" => Letter::R,
            "A" | "审批" => Letter::A,
            "C" | "咨询" => Letter::C,
            "I" | "知会" => Letter::I,
            "A/R" | "R/A" | "AR" | "审批/负责" => Letter::AR,
            _ => return None,
        })
    }

    fn accountable(self) -> bool {
        matches!(self, Letter::A | Letter::AR)
    }

    fn responsible(self) -> bool {
        matches!(self, Letter::R | Letter::AR)
    }
}

impl Serialize for Letter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl FromJson for Letter {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let l = v.as_str().and_then(Letter::parse);
        if l.is_none() {
            cx.error(
                path,
                format!(
                    "must be one of R (负责), A (审批), C (咨询), I (知会), A/R; got {}",
                    v.as_str()
                        .map(|s| format!("\"{s}\""))
                        .unwrap_or_else(|| type_name(v).into())
                ),
            );
        }
        l
    }

    fn schema(s: &mut Schemas) -> Value {
        s.component("RaciLetter", |_| {
            json!({
                "type": "string",
                "enum": Self::SPELLINGS,
                "description": "R 负责 (responsible), A 审批 (accountable), C 咨询 (consulted), I 知会 (informed), or A/R for one party both accountable and responsible (also written R/A or AR); the Chinese label is accepted in place of the letter.",
            })
        })
    }
}

/// A task's assignments: party → letter, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct Assignments(pub Vec<(String, Letter)>);

impl FromJson for Assignments {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::Object(map) = v else {
            cx.error(
                path,
                format!(
                    "must be an object mapping party to letter, not {}",
                    type_name(v)
                ),
            );
            return None;
        };
        let mut out = Vec::with_capacity(map.len());
        let mut ok = true;
        for (party, letter) in map {
            match Letter::from_json(letter, &child(path, party), cx) {
                Some(l) => out.push((crate::input::clean_text(party), l)),
                None => ok = false,
            }
        }
        ok.then_some(Assignments(out))
    }

    fn schema(s: &mut Schemas) -> Value {
        json!({
            "type": "object",
            "description": "Party → letter, for the parties this task involves; every party must be one of `parties`, exactly one A (or A/R) and at least one R (or A/R).",
            "additionalProperties": Letter::schema(s),
            "examples": [{"产品部": "A/R", "研发部": "C", "市场部": "I"}],
        })
    }
}

json_object! {
    pub struct Task {
        task: String = req "任务",
        phase: Option<String> = opt "阶段",
        assignments: Assignments = req "RACI 分工",
    }
    check(t, path, cx) {
        let p = child(path, "assignments");
        let accountable: Vec<&str> = t
            .assignments
            .0
            .iter()
            .filter(|(_, l)| l.accountable())
            .map(|(p, _)| p.as_str())
            .collect();
        if accountable.len() != 1 {
            cx.error(
                &p,
                format!(
                    "needs exactly one A (审批, accountable); found {}{}",
                    accountable.len(),
                    if accountable.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", crate::error::list_preview(&accountable, 10))
                    }
                ),
            );
        }
        if !t.assignments.0.iter().any(|(_, l)| l.responsible()) {
            cx.error(&p, "needs at least one R (负责, responsible)");
        }
    }
}

json_object! {
    /// The payload of `raci-matrix` (责任矩阵).
    pub struct RaciMatrix {
        document_no: Option<String> = opt "编号",
        organization: Option<Organization> = opt "单位信息",
        project: ProjectName = req "所属项目",
        /// The departments or roles, as the grid's columns.
        parties: Vec<String> = unique_list(1) "参与方",
        tasks: Vec<Task> = list_min(1) "工作任务",
        notes: Option<String> = opt "说明",
        prepared_by: Option<Person> = opt "编制人",
        prepared_on: Option<Date> = opt "编制日期",
    }
    always(v, _path, cx) {
        check_parties(v, cx);
    }
}

/// The rules between parties and tasks, read from the raw payload so they are reported
/// whatever else is wrong: the matrix's size (tasks × parties) within the cell budget, refused
/// before any of it is built; and every party a task names one of the declared parties.
fn check_parties(v: &Value, cx: &mut Cx) {
    let parties: Vec<&str> = v
        .get("parties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let tasks = v.get("tasks").and_then(Value::as_array);
    let (Some(tasks), false) = (tasks, parties.is_empty()) else {
        return;
    };
    let cells = tasks.len().saturating_mul(parties.len() + 2);
    if cells > cx.limits.max_table_cells {
        cx.error(
            "/tasks",
            format!(
                "{} tasks × {} parties make a matrix of {cells} cells; the limit is {} (COLLABDOCS_MAX_TABLE_CELLS)",
                tasks.len(),
                parties.len(),
                cx.limits.max_table_cells
            ),
        );
    }
    let declared: std::collections::HashSet<&str> = parties.iter().copied().collect();
    for (i, t) in tasks.iter().enumerate() {
        let Some(Value::Object(a)) = t.get("assignments") else {
            continue;
        };
        for party in a.keys().filter(|p| !declared.contains(p.as_str())) {
            cx.error(
                child(&format!("/tasks/{i}/assignments"), party),
                format!(
                    "\"{}\" is not one of the declared parties: {}",
                    crate::error::bounded(party.clone(), 40),
                    crate::error::list_preview(&parties, 10)
                ),
            );
        }
    }
}

impl RaciMatrix {
    pub fn prepare(self, _cx: &mut Cx) -> Prepared {
        let counts: Vec<Value> = self
            .parties
            .iter()
            .map(|party| {
                let letters: Vec<Letter> = self
                    .tasks
                    .iter()
                    .filter_map(|t| {
                        t.assignments
                            .0
                            .iter()
                            .find(|(p, _)| p == party)
                            .map(|(_, l)| *l)
                    })
                    .collect();
                let n = |f: fn(Letter) -> bool| letters.iter().filter(|l| f(**l)).count();
                json!({
                    "party": party,
                    "r": n(Letter::responsible),
                    "a": n(Letter::accountable),
                    "c": n(|l| l == Letter::C),
                    "i": n(|l| l == Letter::I),
                })
            })
            .collect();
        // One row per task with a cell per declared party, in column order.
        let rows: Vec<Value> = self
            .tasks
            .iter()
            .map(|t| {
                let cells: Vec<&str> = self
                    .parties
                    .iter()
                    .map(|party| {
                        t.assignments
                            .0
                            .iter()
                            .find(|(p, _)| p == party)
                            .map(|(_, l)| l.code())
                            .unwrap_or("")
                    })
                    .collect();
                json!({"task": t.task, "phase": t.phase, "cells": cells})
            })
            .collect();
        let legend: Vec<Value> = Letter::ALL
            .iter()
            .map(|l| json!({"letter": l.code(), "label": l.label()}))
            .collect();
        let derived = json!({
            "rows": rows,
            "counts": counts,
            "legend": legend,
            "letters": Letter::ALL.iter().map(|l| l.code()).collect::<Vec<_>>().join("|"),
            "has_phases": self.tasks.iter().any(|t| t.phase.is_some()),
        });
        let stem = format!(
            "责任矩阵-{}",
            crate::values::safe_file_stem(&self.project.name)
        );
        Prepared::new(&self, derived, stem)
    }
}

impl super::Hooks for RaciMatrix {}
