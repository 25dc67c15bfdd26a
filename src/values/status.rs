//! Enumerations more than one kind uses: statuses, levels, types of topic and resource.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::json_enum;

json_enum! {
    /// Whether an agenda topic needs a decision or is for information.
    pub enum TopicKind { Decision = "decision" / "需决策", Sync = "sync" / "需同步" }
}

json_enum! {
    /// Progress of an action item.
    pub enum ActionStatus { Open = "open" / "未开始", InProgress = "in_progress" / "进行中", Done = "done" / "已完成" }
}

json_enum! {
    /// Risk or severity level.
    pub enum Level { High = "high" / "高", Medium = "medium" / "中", Low = "low" / "低" }
}

json_enum! {
    /// The kind of resource asked for.
    pub enum ResourceType { People = "people" / "人力", Budget = "budget" / "预算", Equipment = "equipment" / "设备", Other = "other" / "其他" }
}

/// The project a meeting belongs to, when it belongs to one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::values::object_schema::<Self>)]
pub struct MeetingProject {
    #[schemars(title = "项目名称")]
    pub name: Option<String>,
}
