//! `cleanclaim`: check claim files from the command line.
//!
//! Exit status: 0 when no claim has an error-severity finding, 1 when any has, 2 for unusable
//! input or bad usage.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cleanclaim::{Date, Engine, Report, Severity};

#[derive(Parser, Debug)]
#[command(name = "cleanclaim", version, about = "Checks medical claims before they leave")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check claim files (JSON: one claim, an array, or JSON lines).
    Check(CheckArgs),
    /// List the rule catalogue.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Claim files.
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Treat this date as today (YYYY-MM-DD), for reproducible runs.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Turn a rule off (repeatable).
    #[arg(long = "disable", value_name = "RULE")]
    disable: Vec<String>,
    /// Never show a progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Readable report.
    Text,
    /// One JSON document with every report and a summary.
    Json,
    /// One JSON report per line.
    Jsonl,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules { format } => rules(format),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("cleanclaim: {msg}");
            ExitCode::from(2)
        }
    }
}

fn rules(format: Format) -> Result<ExitCode, String> {
    let engine = Engine::new();
    let active: Vec<&str> = engine.rules().iter().map(|(m, _)| m.id).collect();
    let mut out = std::io::stdout().lock();
    let metas = cleanclaim::rules::catalogue().iter().map(|r| r.meta());
    if format == Format::Text {
        for m in metas {
            let applies: Vec<String> = m.applies_to.iter().map(|t| format!("{t:?}").to_lowercase()).collect();
            let off = if active.contains(&m.id) { "" } else { " (off by default)" };
            writeln!(out, "{:<28} {:<8} {:<34} {}{off}", m.id, m.severity, applies.join(","), m.summary)
                .map_err(|e| e.to_string())?;
        }
    } else {
        for m in metas {
            let v = serde_json::json!({
                "id": m.id, "severity": m.severity, "applies_to": m.applies_to,
                "summary": m.summary, "source": m.source, "default_enabled": m.default_enabled,
            });
            writeln!(out, "{v}").map_err(|e| e.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Summary {
    claims: usize,
    clean: usize,
    with_errors: usize,
    by_rule: BTreeMap<String, usize>,
    unusable_files: usize,
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    let mut builder = Engine::builder();
    for d in &args.disable {
        builder = builder.disable(d);
    }
    if let Some(d) = args.as_of {
        builder = builder.as_of(d);
    }
    let engine = builder.build().map_err(|e| e.to_string())?;
    let mut summary = Summary::default();
    let mut all_reports: Vec<Report> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let show_progress = !args.quiet && std::io::stderr().is_terminal();

    for path in &args.files {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cleanclaim: {name}: {e}");
                summary.unusable_files += 1;
                continue;
            }
        };
        let claims = match cleanclaim::parse_claims(&text) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cleanclaim: {}", e.with_source(&name));
                summary.unusable_files += 1;
                continue;
            }
        };
        let bar = (show_progress && claims.len() >= 10_000).then(|| {
            let b = indicatif::ProgressBar::new(claims.len() as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} claims ({per_sec}, eta {eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.set_message(name.clone());
            b
        });
        // Chunks keep the progress bar moving while still checking in parallel.
        for chunk in claims.chunks(8192) {
            let reports = engine.check_many(chunk);
            if let Some(b) = &bar {
                b.inc(chunk.len() as u64);
            }
            for r in reports {
                summary.claims += 1;
                if r.findings.is_empty() {
                    summary.clean += 1;
                }
                if !r.ok {
                    summary.with_errors += 1;
                }
                for f in &r.findings {
                    *summary.by_rule.entry(f.rule.clone()).or_default() += 1;
                }
                match args.format {
                    Format::Text => write_text(&mut out, &name, &r).map_err(|e| e.to_string())?,
                    Format::Jsonl => {
                        serde_json::to_writer(&mut out, &r).map_err(|e| e.to_string())?;
                        writeln!(out).map_err(|e| e.to_string())?;
                    }
                    Format::Json => all_reports.push(r),
                }
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    }

    match args.format {
        Format::Text => write_summary(&mut out, &summary).map_err(|e| e.to_string())?,
        Format::Json => {
            let doc = serde_json::json!({
                "reports": all_reports,
                "summary": {
                    "claims": summary.claims, "clean": summary.clean, "with_errors": summary.with_errors,
                    "unusable_files": summary.unusable_files, "findings_by_rule": summary.by_rule,
                }
            });
            serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())?;
            writeln!(out).map_err(|e| e.to_string())?;
        }
        Format::Jsonl => {}
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(if summary.unusable_files > 0 {
        ExitCode::from(2)
    } else if summary.with_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_text(out: &mut impl Write, file: &str, r: &Report) -> std::io::Result<()> {
    let id = r.claim_id.as_deref().unwrap_or("(no id)");
    if r.findings.is_empty() {
        return writeln!(out, "{file}: claim {id}: clean");
    }
    let errors = r.findings.iter().filter(|f| f.severity == Severity::Error).count();
    writeln!(out, "{file}: claim {id}: {} finding(s), {errors} error(s)", r.findings.len())?;
    for f in &r.findings {
        writeln!(out, "  {:<7} {:<24} {:<26} {}", f.severity, f.rule, f.path, f.message)?;
    }
    Ok(())
}

fn write_summary(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{} claim(s) read, {} clean, {} with errors{}",
        s.claims,
        s.clean,
        s.with_errors,
        if s.unusable_files > 0 { format!(", {} unusable file(s)", s.unusable_files) } else { String::new() }
    )?;
    for (rule, n) in &s.by_rule {
        writeln!(out, "  {n:>8}  {rule}")?;
    }
    Ok(())
}
