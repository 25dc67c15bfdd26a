//! `raci-matrix` — 责任矩阵 (seed 001 第二阶段 步骤1 制定责任矩阵).

use serde::Serialize;
use serde_json::{json, Value};

use super::Prepared;
use crate::input::{child, index, type_name, Cx, FromJson, Obj, Schemas};
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

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub task: String,
    pub phase: Option<String>,
    pub assignments: Assignments,
}

impl FromJson for Task {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::open(v, path, cx, &["task", "phase", "assignments"])?;
        let task = o.req::<String>("task", cx);
        let phase = o.opt::<String>("phase", cx);
        let assignments = o.req::<Assignments>("assignments", cx);
        if let Some(a) = &assignments {
            let p = child(path, "assignments");
            let accountable: Vec<&str> =
                a.0.iter()
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
            if !a.0.iter().any(|(_, l)| l.responsible()) {
                cx.error(&p, "needs at least one R (负责, responsible)");
            }
        }
        Some(Task {
            task: task?,
            phase: phase?,
            assignments: assignments?,
        })
    }

    fn schema(s: &mut Schemas) -> Value {
        s.component("RaciMatrixTask", |s| {
            json!({
                "type": "object",
                "properties": {
                    "task": String::required_schema(s),
                    "phase": Option::<String>::schema(s),
                    "assignments": Assignments::schema(s),
                },
                "required": ["task", "assignments"],
                "additionalProperties": false,
            })
        })
    }
}

/// The payload of `raci-matrix`.
#[derive(Debug, Clone, Serialize)]
pub struct RaciMatrix {
    pub document_no: Option<String>,
    pub organization: Option<Organization>,
    pub project: ProjectName,
    pub parties: Vec<String>,
    pub tasks: Vec<Task>,
    pub notes: Option<String>,
    pub prepared_by: Option<Person>,
    pub prepared_on: Option<Date>,
}

impl RaciMatrix {
    pub const FIELDS: &'static [&'static str] = &[
        "document_no",
        "organization",
        "project",
        "parties",
        "tasks",
        "notes",
        "prepared_by",
        "prepared_on",
    ];

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

impl FromJson for RaciMatrix {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let mut o = Obj::open(v, path, cx, Self::FIELDS)?;
        let document_no = o.opt::<String>("document_no", cx);
        let organization = o.opt::<Organization>("organization", cx);
        let project = o.req::<ProjectName>("project", cx);
        let parties = o.list_min::<String>("parties", cx, 1);
        let tasks = o.list_min::<Task>("tasks", cx, 1);
        let notes = o.opt::<String>("notes", cx);
        let prepared_by = o.opt::<Person>("prepared_by", cx);
        let prepared_on = o.opt::<Date>("prepared_on", cx);
        if let (Some(parties), Some(tasks)) = (&parties, &tasks) {
            // The matrix is tasks × parties cells; refused before any of it is built.
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
        }
        if let Some(parties) = &parties {
            let mut seen = std::collections::HashSet::new();
            for (i, p) in parties.iter().enumerate() {
                if !seen.insert(p.as_str()) {
                    cx.error(
                        index("/parties", i),
                        format!("\"{p}\" is listed twice; parties must be unique"),
                    );
                }
            }
            // Checked on the raw JSON too, so an undeclared party is reported even when
            // another part of the task has an error.
            if let Some(Value::Array(raw_tasks)) = v.get("tasks") {
                for (i, t) in raw_tasks.iter().enumerate() {
                    if let Some(Value::Object(a)) = t.get("assignments") {
                        for party in a.keys() {
                            if !seen.contains(party.as_str()) {
                                cx.error(
                                    child(&format!("/tasks/{i}/assignments"), party),
                                    format!(
                                        "\"{}\" is not one of the declared parties: {}",
                                        crate::error::bounded(party.clone(), 40),
                                        crate::error::list_preview(parties, 10)
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
        Some(RaciMatrix {
            document_no: document_no?,
            organization: organization?,
            project: project?,
            parties: parties?,
            tasks: tasks?,
            notes: notes?,
            prepared_by: prepared_by?,
            prepared_on: prepared_on?,
        })
    }

    fn schema(s: &mut Schemas) -> Value {
        s.component("RaciMatrix", |s| {
            let mut parties = Vec::<String>::required_schema(s);
            parties["minItems"] = json!(1);
            parties["uniqueItems"] = json!(true);
            parties["description"] = json!("The departments or roles, as the grid's columns.");
            let mut tasks = Vec::<Task>::schema(s);
            tasks["minItems"] = json!(1);
            json!({
                "type": "object",
                "description": "The payload of `raci-matrix` (责任矩阵).",
                "properties": {
                    "document_no": Option::<String>::schema(s),
                    "organization": Option::<Organization>::schema(s),
                    "project": ProjectName::required_schema(s),
                    "parties": parties,
                    "tasks": tasks,
                    "notes": Option::<String>::schema(s),
                    "prepared_by": Option::<Person>::schema(s),
                    "prepared_on": Option::<Date>::schema(s),
                },
                "required": ["project", "parties", "tasks"],
                "additionalProperties": false,
            })
        })
    }
}

impl super::Hooks for RaciMatrix {}
