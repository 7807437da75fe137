//! `cleanclaim`: check claim files from the command line.
//!
//! Exit status: 0 when no claim has an error-severity finding, 1 when any has, 2 for unusable
//! input or bad usage.

// Claims are many small strings: mimalloc allocates and frees them ~25 % faster than glibc's
// malloc on the parse and check paths (benches/compare, docs/performance.md).
#[global_allocator]
static GLOBAL: cleanclaim_alloc::MiMalloc = cleanclaim_alloc::MiMalloc;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cleanclaim::{Date, Engine, Report, Severity};

#[derive(Parser, Debug)]
#[command(name = "cleanclaim", version, about = "Checks medical claims before they leave")]
struct Cli {
    /// Load a newer CMS/CDC code-set release on top of the embedded tables (repeatable):
    /// KIND:PATH[@DATE] with KIND one of icd10cm-order, icd10cm-tabular, icd10cm-mce,
    /// icd10pcs-order, icd10pcs-mce, hcpcs, cpt. Also read from $CLEANCLAIM_RELEASES
    /// (separated by `;`).
    #[arg(long = "release", global = true, value_name = "KIND:PATH[@DATE]")]
    releases: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

/// An engine builder with the release files of the command line and the environment.
fn base_builder(releases: &[String]) -> Result<cleanclaim::EngineBuilder, String> {
    let env = std::env::var("CLEANCLAIM_RELEASES").unwrap_or_default();
    let mut b = Engine::builder();
    for spec in env.split(';').map(str::trim).filter(|s| !s.is_empty()).chain(releases.iter().map(String::as_str)) {
        b = b.release(cleanclaim::ReleaseFile::parse(spec).map_err(|e| e.to_string())?);
    }
    Ok(b)
}

fn base_engine(releases: &[String]) -> Result<Engine, String> {
    base_builder(releases)?.build().map_err(|e| e.to_string())
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check claim files: claim JSON (one claim, an array, or JSON lines), X12 837P/837I, or a FHIR R4 Claim/Bundle.
    /// JSON lines and 837s are read as they are checked, so a file of any size fits in memory.
    Check(CheckArgs),
    /// List the rule catalogue.
    Rules {
        /// Output format (`markdown` writes docs/rules.md).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Look a code up: ICD-10-CM, ICD-10-PCS, HCPCS, modifier or CPT.
    Lookup {
        /// The code (dot optional).
        code: String,
        /// Date of service (YYYY-MM-DD): validity and flags on that day.
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Search ICD-10-CM descriptions and inclusion terms.
    Search {
        /// Words, e.g. "type 2 diabetes with chronic kidney disease".
        #[arg(required = true)]
        words: Vec<String>,
        /// Results to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Convert claims between the JSON model, X12 837 and FHIR (input recognised by content).
    Convert {
        /// Input file: claim JSON, FHIR R4 Claim/Bundle, or X12 837; `-` reads standard input.
        file: std::path::PathBuf,
        /// Output: the claim JSON model (an array or JSON lines), or X12 837 (837P or 837I by claim kind).
        #[arg(long, value_enum)]
        to: ConvertTo,
    },
    /// Show the loaded code sets: releases, dates covered, staleness.
    Codesets {
        /// `import`: load the --release files, report what they add, and print how to use them.
        action: Option<CodesetsAction>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Post an 835 remittance file to the practice database (all of it or nothing; read a set at a time)
    Post {
        /// The 835 file.
        file: std::path::PathBuf,
        /// The practice database (created if missing).
        #[arg(long)]
        db: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Show a claim's state, history and balances.
    Status {
        /// The claim id (CLM01).
        claim_id: String,
        /// The practice database.
        #[arg(long)]
        db: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// A/R aging buckets and days in A/R.
    Ar {
        /// The practice database.
        #[arg(long)]
        db: std::path::PathBuf,
        /// Age to this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
    /// Denials by reason, by the rule that would have caught them, by payer and provider.
    Denials {
        /// The practice database.
        #[arg(long)]
        db: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CodesetsAction {
    /// Validate and load release files (given with --release).
    Import,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ConvertTo {
    /// The cleanclaim claim JSON (an array).
    Json,
    /// JSON lines: one claim object per line (what `check` and pandas' `read_json(lines=True)`
    /// read a piece at a time).
    Jsonl,
    /// X12 005010 837P / 837I.
    X12,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum RulesFormat {
    /// Aligned columns.
    Text,
    /// One JSON object per rule.
    Jsonl,
    /// The Markdown catalogue (docs/rules.md).
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Claim files (the format is told from each file's content); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Treat this date as today (YYYY-MM-DD), for reproducible runs.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Profile: a built-in name (medicare-professional, medicare-institutional,
    /// commercial-default) or a .toml/.json file.
    #[arg(long)]
    profile: Option<String>,
    /// Folder of CMS NCCI tables (PTP, MUE, add-on code edits; .txt or .csv as CMS publishes them).
    #[arg(long, value_name = "DIR")]
    ncci: Option<std::path::PathBuf>,
    /// Turn a rule on (repeatable).
    #[arg(long = "enable", value_name = "RULE")]
    enable: Vec<String>,
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
    let rel = &cli.releases;
    let result = match cli.command {
        Command::Check(args) => check(&args, rel),
        Command::Rules { format } => rules(format),
        Command::Lookup { code, date, format } => lookup(&code, date, format, rel),
        Command::Search { words, limit, format } => search(&words.join(" "), limit, format, rel),
        Command::Codesets { action, format } => codesets(action, format, rel),
        Command::Convert { file, to } => convert(&file, to),
        Command::Post { file, db, format } => post(&file, &db, format),
        Command::Status { claim_id, db, format } => billing_out(
            cleanclaim_billing::Store::open_readonly(&db).and_then(|s| cleanclaim_billing::status(&s, &claim_id)),
            format,
        ),
        Command::Ar { db, as_of, format } => billing_out(
            cleanclaim_billing::Store::open_readonly(&db)
                .and_then(|s| cleanclaim_billing::aging(&s, as_of.unwrap_or_else(Date::today))),
            format,
        ),
        Command::Denials { db, format } => billing_out(
            cleanclaim_billing::Store::open_readonly(&db).and_then(|s| cleanclaim_billing::denials(&s)),
            format,
        ),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("cleanclaim: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Exit 1 when a remittance does not reconcile with its BPR02.
fn post(file: &std::path::Path, db: &std::path::Path, format: OutFormat) -> Result<ExitCode, String> {
    // Posted as it is read, a transaction set at a time: the file is never held whole.
    let input = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut store = cleanclaim_billing::Store::open(db).map_err(|e| e.to_string())?;
    let summary = cleanclaim_billing::post_835_read(&mut store, input, Date::today()).map_err(|e| match e {
        cleanclaim_billing::Error::X12(_) => format!("{}: {e}", file.display()),
        e => e.to_string(),
    })?;
    let reconciled = summary.reconciled();
    billing_out(Ok(summary), format)?;
    Ok(if reconciled { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn billing_out<T: serde::Serialize + std::fmt::Display>(
    r: Result<T, cleanclaim_billing::Error>,
    format: OutFormat,
) -> Result<ExitCode, String> {
    let v = r.map_err(|e| e.to_string())?;
    let text = if format == OutFormat::Json {
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
    } else {
        v.to_string()
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn rules(format: RulesFormat) -> Result<ExitCode, String> {
    let engine = Engine::new();
    let active: Vec<&str> = engine.rules().iter().map(|(m, _)| m.id).collect();
    let mut out = std::io::stdout().lock();
    let metas = cleanclaim::rules::catalogue().iter().map(|r| r.meta());
    let applies = |m: &cleanclaim::rules::RuleMeta| -> String {
        m.applies_to.iter().map(|t| format!("{t:?}").to_lowercase()).collect::<Vec<_>>().join(", ")
    };
    let text = match format {
        RulesFormat::Text => metas
            .map(|m| {
                let off = if active.contains(&m.id) { "" } else { " (off by default)" };
                format!("{:<28} {:<8} {:<36} {}{off}\n", m.id, m.severity, applies(m), m.summary)
            })
            .collect::<String>(),
        RulesFormat::Jsonl => metas
            .map(|m| {
                let v = serde_json::json!({
                    "id": m.id, "severity": m.severity, "applies_to": m.applies_to,
                    "summary": m.summary, "source": m.source, "default_enabled": m.default_enabled,
                });
                format!("{v}\n")
            })
            .collect(),
        RulesFormat::Markdown => rules_markdown(metas, &applies),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// docs/rules.md: generated from the catalogue so it can never drift (CI diffs it).
fn rules_markdown<'a>(
    metas: impl Iterator<Item = &'a cleanclaim::rules::RuleMeta>,
    applies: &dyn Fn(&cleanclaim::rules::RuleMeta) -> String,
) -> String {
    let mut s = String::from(
        "# Rule catalogue\n\n\
         Generated by `cleanclaim rules --format markdown`; CI fails when this file is stale. \
         Rule ids are stable. Severities are defaults that profiles override \
         (see `crates/cleanclaim/profiles/`).\n\n\
         | id | severity | applies to | default | what it finds | source |\n\
         |---|---|---|---|---|---|\n",
    );
    for m in metas {
        let on = if m.default_enabled { "on" } else { "off" };
        s.push_str(&format!(
            "| `{}` | {} | {} | {on} | {} | {} |\n",
            m.id,
            m.severity,
            applies(m),
            m.summary.replace('|', "\\|"),
            m.source.replace('|', "\\|")
        ));
    }
    s
}

fn lookup(code: &str, date: Option<Date>, format: OutFormat, rel: &[String]) -> Result<ExitCode, String> {
    let engine = base_engine(rel)?;
    let Some(info) = engine.lookup(code, date) else {
        if format == OutFormat::Json {
            println!("null");
        } else {
            println!("{code}: not a known ICD-10-CM, ICD-10-PCS, HCPCS, modifier or CPT-shaped code");
        }
        return Ok(ExitCode::from(1));
    };
    if format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    let system = format!("{:?}", info.system).to_uppercase();
    let desc = info.description.clone().or(info.description_note.clone()).unwrap_or_default();
    o.push_str(&format!("{} ({system})  {desc}\n", info.display));
    let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
    o.push_str(&format!(
        "  {}{on}{}\n",
        if info.valid { "valid" } else { "not valid" },
        if info.header { " (header: not billable)" } else { "" }
    ));
    if let Some(why) = &info.incomplete {
        o.push_str(&format!("  {why}\n"));
    }
    if let Some(c) = &info.chapter {
        o.push_str(&format!("  chapter {}: {}\n", c.id, c.title));
    }
    if let Some(sct) = &info.section {
        o.push_str(&format!("  section {}: {}\n", sct.id, sct.title));
    }
    if let Some(p) = &info.parent {
        o.push_str(&format!("  parent: {p}\n"));
    }
    if !info.children.is_empty() {
        o.push_str(&format!("  children: {}\n", info.children.join(" ")));
    }
    if !info.flags.is_empty() {
        o.push_str(&format!("  MCE flags: {}\n", info.flags.join(" ")));
    }
    for p in &info.valid_periods {
        let to = p.to.map(|d| d.to_string()).unwrap_or_else(|| "open".into());
        let flags = if p.flags.is_empty() { String::new() } else { format!("  [{}]", p.flags.join(" ")) };
        o.push_str(&format!("  valid {} .. {to}{flags}\n", p.from));
    }
    for (c, m) in &info.seventh_characters {
        o.push_str(&format!("  7th character {c}: {m}\n"));
    }
    let n = &info.notes;
    for (label, list) in [
        ("inclusion term", &n.inclusion_terms),
        ("excludes1", &n.excludes1),
        ("excludes2", &n.excludes2),
        ("code first", &n.code_first),
        ("use additional code", &n.use_additional),
        ("code also", &n.code_also),
    ] {
        for t in list {
            o.push_str(&format!("  {label}: {t}\n"));
        }
    }
    if let Some(r) = &info.release {
        o.push_str(&format!("  release: {r}\n"));
    }
    print!("{o}");
    Ok(ExitCode::SUCCESS)
}

fn search(words: &str, limit: usize, format: OutFormat, rel: &[String]) -> Result<ExitCode, String> {
    let hits = base_engine(rel)?.search(words, limit);
    if format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&hits).map_err(|e| e.to_string())?);
    } else {
        for h in &hits {
            println!("{:<9} {}{}", h.display, h.description, if h.billable { "" } else { "  (header)" });
        }
    }
    Ok(if hits.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn codesets(action: Option<CodesetsAction>, format: OutFormat, rel: &[String]) -> Result<ExitCode, String> {
    if action == Some(CodesetsAction::Import) && rel.is_empty() {
        return Err("codesets import: give the release files with --release KIND:PATH[@DATE]".into());
    }
    let engine = base_engine(rel)?;
    let s = cleanclaim::lookup::summary(engine.codes()).map_err(|e| e.to_string())?;
    if format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "ICD-10-CM   {:>6} codes, valid dates {} .. {}",
        s.icd10cm_codes, s.icd10cm_covered.0, s.icd10cm_covered.1
    );
    println!("            releases: {}", s.icd10cm_releases.join(", "));
    println!(
        "ICD-10-PCS  {:>6} codes, valid dates {} .. {}",
        s.icd10pcs_codes, s.icd10pcs_covered.0, s.icd10pcs_covered.1
    );
    println!("            releases: {}", s.icd10pcs_releases.join(", "));
    let stale =
        if s.hcpcs_stale { " — STALE: codes added or ended since are unknown; load a current file" } else { "" };
    println!("HCPCS       {:>6} codes and modifiers, release {}{stale}", s.hcpcs_codes, s.hcpcs_release_year);
    println!(
        "CPT         {}",
        if s.cpt_loaded { "licensed file loaded" } else { "shape only (load a licensed CPT file for validity)" }
    );
    for f in &s.loaded {
        println!("loaded      {f}");
    }
    if action == Some(CodesetsAction::Import) {
        println!();
        println!("All {} release file(s) loaded. Use them with every command:", rel.len());
        println!("  export CLEANCLAIM_RELEASES='{}'", rel.join(";"));
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

/// Files this large (about 10,000 claims) show a progress bar on a terminal.
const PROGRESS_MIN_BYTES: u64 = 10 << 20;

/// A bar counting claims as their reports arrive: a streamed file's claim count is not known
/// until it has been read.
fn claims_bar(name: &str) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template("{msg} {spinner} {human_pos} claims ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    b.set_message(name.to_owned());
    b
}

/// Runs a streaming check of file `name`, handing each report to `emit` as it comes (counted
/// on `bar`, cleared at the end) until `emit` fails (a write error, returned). The check's own
/// error is reported after the claims before it, and the file counts as unusable (exit 2).
fn streamed(
    name: &str,
    bar: Option<indicatif::ProgressBar>,
    summary: &mut Summary,
    emit: &mut impl FnMut(&str, Report, &mut Summary) -> Result<(), String>,
    run: impl FnOnce(&mut dyn FnMut(Report)) -> Result<usize, cleanclaim::Error>,
) -> Result<(), String> {
    let mut failed = Ok(());
    let res = run(&mut |r| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if failed.is_ok() {
            failed = emit(name, r, summary);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    failed?;
    if let Err(e) = res {
        eprintln!("cleanclaim: {}", e.with_source(name));
        summary.unusable_files += 1;
    }
    Ok(())
}

/// A file to read, or standard input (`-`).
struct Input {
    /// What messages call it: the path, or `<stdin>`.
    name: String,
    reader: Box<dyn Read>,
    /// Bytes in all, when known (not for standard input).
    size: Option<u64>,
}

fn open_input(path: &std::path::Path) -> Result<Input, String> {
    if path.as_os_str() == "-" {
        return Ok(Input { name: "<stdin>".to_owned(), reader: Box::new(std::io::stdin().lock()), size: None });
    }
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok(Input { name, reader: Box::new(file), size })
}

fn check(args: &CheckArgs, rel: &[String]) -> Result<ExitCode, String> {
    let mut builder = base_builder(rel)?;
    if let Some(p) = &args.profile {
        builder = builder.profile(cleanclaim::Profile::load(p).map_err(|e| e.to_string())?);
    }
    if let Some(dir) = &args.ncci {
        builder = builder.ncci(cleanclaim::ncci::Ncci::load_dir(dir).map_err(|e| e.to_string())?);
    }
    for e in &args.enable {
        builder = builder.enable(e);
    }
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

    let mut emit = |name: &str, r: Report, summary: &mut Summary| -> Result<(), String> {
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
            Format::Text => write_text(&mut out, name, &r).map_err(|e| e.to_string()),
            Format::Jsonl => {
                serde_json::to_writer(&mut out, &r).map_err(|e| e.to_string())?;
                writeln!(out).map_err(|e| e.to_string())
            }
            Format::Json => {
                all_reports.push(r);
                Ok(())
            }
        }
    };

    for path in &args.files {
        let Input { name, reader, size } = match open_input(path) {
            Ok(input) => input,
            Err(why) => {
                eprintln!("cleanclaim: {why}");
                summary.unusable_files += 1;
                continue;
            }
        };
        // JSON lines and 837s are read as they are checked, so that an input of any size takes
        // the memory of a few thousand claims, not its own size.
        let bar = (show_progress && size.is_none_or(|n| n >= PROGRESS_MIN_BYTES)).then(|| claims_bar(&name));
        streamed(&name, bar, &mut summary, &mut emit, |on_report| {
            cleanclaim_x12::check_input_with(&engine, reader, Some(&name), on_report)
        })?;
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

/// Converts claims as they are read, on every core: an 837 or JSON lines of any size takes the
/// memory of a few thousand claims (X12 out: one transaction set), not its own. The first
/// error stops, after the claims before it were written (an 837 out: its complete transaction
/// sets), and the output is left without its end (`]`, GE/IEA), so that nothing reads it as
/// complete.
fn convert(path: &std::path::Path, to: ConvertTo) -> Result<ExitCode, String> {
    let Input { name, reader, .. } = open_input(path)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A failed write or claim stops the writing; the reader still runs to its end.
    let mut failed: Result<(), String> = Ok(());
    match to {
        ConvertTo::Json | ConvertTo::Jsonl => {
            // Each claim's JSON is written on the worker that read it; this thread only
            // writes the bytes out.
            let json = to == ConvertTo::Json;
            let mut first = true;
            let to_json = |c: &mut cleanclaim::Claim| if json { pretty_element(c) } else { json_line(c) };
            cleanclaim_x12::map_input_with(reader, Some(&name), to_json, |bytes| {
                if failed.is_ok() {
                    failed = bytes.map_err(|e| e.to_string()).and_then(|b| {
                        // The first element opens the array its `,` would have continued.
                        let (open, rest) = if json && first { (&b"["[..], &b[1..]) } else { (&b""[..], &b[..]) };
                        out.write_all(open).and_then(|()| out.write_all(rest)).map_err(|e| e.to_string())
                    });
                    first = false;
                }
            })
            .map_err(|e| e.to_string())?;
            failed?;
            if json {
                out.write_all(if first { b"[]\n" } else { b"\n]\n" }).map_err(|e| e.to_string())?;
            }
        }
        ConvertTo::X12 => {
            let opts = cleanclaim_x12::EnvelopeOptions::default();
            // The writer takes the output at the first claim, whose kind it writes.
            let (mut unused_out, mut x12) = (Some(&mut out), None);
            cleanclaim_x12::read_input_with(reader, Some(&name), |c| {
                if failed.is_err() {
                    return;
                }
                let w = match (&mut x12, unused_out.take()) {
                    (Some(w), _) => w,
                    (None, None) => return,
                    (None, Some(out)) => match cleanclaim_x12::Writer837::new(out, c.kind, &opts) {
                        Ok(w) => x12.insert(w),
                        Err(e) => {
                            failed = Err(e.to_string());
                            return;
                        }
                    },
                };
                failed = w.write(&c).map_err(|e| format!("{name}: {e}"));
            })
            .map_err(|e| e.to_string())?;
            failed?;
            x12.ok_or_else(|| format!("{name}: no claims"))?.finish().map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// A claim as one JSON line.
fn json_line(c: &cleanclaim::Claim) -> serde_json::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(c)?;
    line.push(b'\n');
    Ok(line)
}

/// A claim as a later element of a pretty-printed JSON array, from the `,` that ends the one
/// before it: `serde_json::to_writer_pretty` of the array writes each element one level
/// further in than the element alone. A JSON string holds no raw line break, so each one is
/// between tokens.
fn pretty_element(c: &cleanclaim::Claim) -> serde_json::Result<Vec<u8>> {
    let alone = serde_json::to_vec_pretty(c)?;
    let mut out = Vec::with_capacity(alone.len() + alone.len() / 16 + 4);
    out.extend_from_slice(b",\n  ");
    for (i, line) in alone.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\n  ");
        }
        out.extend_from_slice(line);
    }
    Ok(out)
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
