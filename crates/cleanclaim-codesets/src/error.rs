use std::fmt;

/// An unusable code-set file: names the file and the 1-based line (0 when the error is not
/// tied to one line, e.g. an empty file or an XML syntax error without position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CodeSetError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CodeSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl CodeSetError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        CodeSetError { file: file.to_string(), line, message: message.into() }
    }
}
