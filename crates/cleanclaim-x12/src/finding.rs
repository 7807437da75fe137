//! Findings: problems that do not make the input unusable (SNIP 1 counts, SNIP 2–3 checks,
//! 835 balancing). Shaped like the core report's findings (`rule`, `severity`, `path`,
//! `message`), plus the X12 location they came from.

use std::fmt;

use crate::error::Location;

/// How serious a finding is (same scale as the core report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Would be rejected by a receiver.
    Error,
    /// Suspicious.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding. Messages never contain patient data.
#[derive(Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable dotted rule id (`x12.envelope.se_count`, `x12.835.claim_balance`).
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Field path in the claim / remittance (`lines[2].charge`), empty when not applicable.
    pub path: String,
    /// Human readable message.
    pub message: String,
    /// Where in the X12 input.
    pub location: Option<Location>,
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.severity.as_str(), self.rule)?;
        if !self.path.is_empty() {
            write!(f, " {}", self.path)?;
        }
        if let Some(l) = &self.location {
            write!(f, " at {l}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Finding {
    /// The core report's finding: severity mapped, `line` (1-based) taken from a
    /// `lines[N]` path. The X12 location is not part of the core shape; keep `self` for it.
    pub fn to_core(&self) -> cleanclaim::Finding {
        let line = self
            .path
            .strip_prefix("lines[")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<u32>().ok())
            .map(|n| n + 1);
        let message = match &self.location {
            Some(l) => format!("{} ({})", self.message, l.element_name()),
            None => self.message.clone(),
        };
        cleanclaim::Finding {
            rule: self.rule.to_string(),
            severity: match self.severity {
                Severity::Error => cleanclaim::Severity::Error,
                Severity::Warning => cleanclaim::Severity::Warning,
                Severity::Info => cleanclaim::Severity::Info,
            },
            path: self.path.clone(),
            message,
            line,
        }
    }
}
