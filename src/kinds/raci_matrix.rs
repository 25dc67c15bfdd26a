//! `raci-matrix` — 责任矩阵 (seed 001 第二阶段 步骤1 制定责任矩阵).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Prepared;
use crate::input::{child, item_rules, Cx, Rules};
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

    /// Every accepted spelling, and the letter it stands for.
    pub const SPELLINGS: [(&'static str, Letter); 12] = [
        ("R", Letter::R),
        ("A", Letter::A),
        ("C", Letter::C),
        ("I", Letter::I),
        ("A/R", Letter::AR),
        ("R/A", Letter::AR),
        ("AR", Letter::AR),
        ("负责", Letter::R),
        ("审批", Letter::A),
        ("咨询", Letter::C),
        ("知会", Letter::I),
        ("审批/负责", Letter::AR),
    ];

    pub fn parse(s: &str) -> Option<Letter> {
        Self::SPELLINGS
            .iter()
            .find(|(spelling, _)| *spelling == s)
            .map(|&(_, letter)| letter)
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

impl<'de> serde::Deserialize<'de> for Letter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Letter::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a RACI letter: {s}")))
    }
}

impl schemars::JsonSchema for Letter {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RaciLetter".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "enum": Self::SPELLINGS.map(|(spelling, _)| spelling),
            "description": "R 负责 (responsible), A 审批 (accountable), C 咨询 (consulted), I 知会 (informed), or A/R for one party both accountable and responsible (also written R/A or AR); the Chinese label is accepted in place of the letter.",
        })
    }
}

/// A task's assignments: party → letter, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct Assignments(pub Vec<(String, Letter)>);

impl<'de> serde::Deserialize<'de> for Assignments {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Assignments;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object mapping party to letter")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Assignments, M::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0));
                while let Some((party, letter)) = m.next_entry::<String, Letter>()? {
                    out.push((crate::values::clean_text(&party), letter));
                }
                Ok(Assignments(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl schemars::JsonSchema for Assignments {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RaciAssignments".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "Party → letter, for the parties this task involves; every party must be one of `parties`, exactly one A (or A/R) and at least one R (or A/R).",
            "additionalProperties": g.subschema_for::<Letter>(),
            "examples": [{"产品部": "A/R", "研发部": "C", "市场部": "I"}],
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RaciMatrixTask", transform = crate::values::object_schema::<Self>)]
pub struct Task {
    #[schemars(title = "任务")]
    pub task: String,
    #[schemars(title = "阶段")]
    pub phase: Option<String>,
    #[schemars(title = "RACI 分工")]
    pub assignments: Assignments,
}

impl Rules for Task {
    fn rules(&self, path: &str, cx: &mut Cx) {
        let p = child(path, "assignments");
        let accountable: Vec<&str> = self
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
        if !self.assignments.0.iter().any(|(_, l)| l.responsible()) {
            cx.error(&p, "needs at least one R (负责, responsible)");
        }
    }
}

/// The payload of `raci-matrix` (责任矩阵).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct RaciMatrix {
    #[schemars(title = "编号")]
    pub document_no: Option<String>,
    #[schemars(title = "单位信息")]
    pub organization: Option<Organization>,
    #[schemars(title = "所属项目")]
    pub project: ProjectName,
    /// The departments or roles, as the grid's columns.
    #[schemars(title = "参与方", length(min = 1), extend("uniqueItems" = true))]
    pub parties: Vec<String>,
    #[schemars(title = "工作任务", length(min = 1))]
    pub tasks: Vec<Task>,
    #[schemars(title = "说明")]
    pub notes: Option<String>,
    #[schemars(title = "编制人")]
    pub prepared_by: Option<Person>,
    #[schemars(title = "编制日期")]
    pub prepared_on: Option<Date>,
}

impl Rules for RaciMatrix {
    fn part_rules(v: &serde_json::Value, path: &str, cx: &mut Cx) {
        item_rules::<Task>(v, "tasks", path, cx);
    }

    fn rules(&self, path: &str, cx: &mut Cx) {
        self.tasks.rules(&child(path, "tasks"), cx);
    }

    fn raw_rules(v: &serde_json::Value, cx: &mut Cx) {
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
