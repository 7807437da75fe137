//! Errors: only for input that cannot be used at all. A claim that fails checks is a
//! [`Report`](crate::Report), not an error.
//!
//! No message ever contains a value taken from the input: values may be patient data.

/// Unusable input or configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not valid JSON, or JSON that does not fit the claim model.
    #[error("{}{line}:{column}: {message}{}", source_prefix(.source_name), at_path(.path))]
    Json {
        /// File or stream name, when known.
        source_name: Option<String>,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// Field path, e.g. `lines[0].units`, when the JSON was well formed.
        path: Option<String>,
        /// What is wrong (never includes input values).
        message: String,
    },
    /// A value that parsed but cannot be used (e.g. an encounter procedure pointing at a
    /// diagnosis it does not list).
    #[error("{path}: {message}")]
    Invalid {
        /// Field path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A code-set or NCCI release file is malformed.
    #[error("{file}:{line}: {message}")]
    CodeSet {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An X12 interchange that cannot be read (structure, envelope, unsupported version).
    #[error("{location}: {message}")]
    X12 {
        /// Where: file, segment number, segment id, element, loop.
        location: String,
        /// What is wrong (never includes element values).
        message: String,
    },
    /// Bad engine options or profile.
    #[error("configuration: {0}")]
    Config(String),
    /// Input over a safety limit (size, nesting, count).
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// The engine caught a panic inside a check (a bug); the host process keeps running.
    #[error("internal error: {0}")]
    Internal(String),
}

fn source_prefix(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!("{n}:")).unwrap_or_default()
}

fn at_path(path: &Option<String>) -> String {
    match path.as_deref() {
        Some(p) if !p.is_empty() && p != "." => format!(" (at {p})"),
        _ => String::new(),
    }
}

impl Error {
    /// A stable, machine-readable code for each kind of error; bindings expose it
    /// (Python exception class, Node `err.code`, C result code).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json { .. } => "json",
            Error::Invalid { .. } => "invalid",
            Error::Io { .. } => "io",
            Error::CodeSet { .. } => "codeset",
            Error::X12 { .. } => "x12",
            Error::Config(_) => "config",
            Error::Limit(_) => "limit",
            Error::Internal(_) => "internal",
        }
    }

    /// The error for `bytes` that are not UTF-8 from byte `at` on (`Utf8Error::valid_up_to`),
    /// named by its line and column, as a JSON error is.
    pub fn not_utf8(bytes: &[u8], at: usize) -> Error {
        let before = &bytes[..at.min(bytes.len())];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        Error::Json {
            source_name: None,
            line: 1 + memchr::memchr_iter(b'\n', before).count(),
            column: before.len() - line_start + 1,
            path: None,
            message: "not UTF-8 text".into(),
        }
    }

    /// Sets the file name on a JSON error, or on a read error that names none.
    pub fn with_source(mut self, name: &str) -> Error {
        match &mut self {
            Error::Json { source_name, .. } => *source_name = Some(name.to_owned()),
            Error::Io { path, .. } if path.is_empty() => *path = name.to_owned(),
            _ => {}
        }
        self
    }
}

/// serde's messages quote offending values (`invalid type: string "Smith"`); a value may be
/// patient data, so every quoted string is replaced by `a string`.
pub(crate) fn scrub_serde_message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i]);
        out.push_str("a string");
        let after = &rest[i + 8..];
        let mut end = None;
        let mut escaped = false;
        for (j, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(j);
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = match end {
            Some(j) => &after[j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    // Integers and floats from the input can be birth-date parts or ids too.
    for kind in ["integer `", "floating point `"] {
        while let Some(i) = out.find(kind) {
            let start = i + kind.len();
            let Some(len) = out[start..].find('`') else {
                break;
            };
            out.replace_range(i..start + len + 1, "a number");
        }
    }
    // An enum field (e.g. `sex`) given free text: serde quotes the text, which may be anything.
    let kind = "unknown variant `";
    if let Some(i) = out.find(kind)
        && let Some(len) = out[i + kind.len()..].find('`')
    {
        out.replace_range(i..i + kind.len() + len + 1, "unknown variant");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_quoted_values() {
        let m = scrub_serde_message("invalid type: string \"Smith \\\"Jr\\\"\", expected a date");
        assert_eq!(m, "invalid type: a string, expected a date");
        let m = scrub_serde_message("invalid type: integer `19700101`, expected a string");
        assert_eq!(m, "invalid type: a number, expected a string");
        assert!(!m.contains("1970"));
        let m = scrub_serde_message("unknown variant `Smith`, expected one of `M`, `F`, `U`");
        assert_eq!(m, "unknown variant, expected one of `M`, `F`, `U`");
    }
}
