//! Regenerates `include/cleanclaim.h` with cbindgen on every build of this crate (the header is
//! committed; `test.sh` fails when a build changed it) and gives the shared library its SONAME.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let major: u32 = env_num("CARGO_PKG_VERSION_MAJOR");
    let minor: u32 = env_num("CARGO_PKG_VERSION_MINOR");
    let patch: u32 = env_num("CARGO_PKG_VERSION_PATCH");
    let version = env::var("CARGO_PKG_VERSION").expect("set by cargo");

    // Version macros come from Cargo's version so they can never drift from the library.
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    config.after_includes = Some(format!(
        "\n#define CLEANCLAIM_VERSION_MAJOR {major}\n\
         #define CLEANCLAIM_VERSION_MINOR {minor}\n\
         #define CLEANCLAIM_VERSION_PATCH {patch}\n\
         #define CLEANCLAIM_VERSION_STRING \"{version}\"\n\
         /* One number for #if comparisons: 0x00MMmmpp. */\n\
         #define CLEANCLAIM_VERSION_NUMBER \
         ((CLEANCLAIM_VERSION_MAJOR << 16) | (CLEANCLAIM_VERSION_MINOR << 8) | CLEANCLAIM_VERSION_PATCH)\n"
    ));
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write_to_file(crate_dir.join("include/cleanclaim.h"));

    // There is no ABI promise inside one 0.x minor (nor across majors after 1.0), so the
    // SONAME carries exactly the part of the version that may break it.
    let soname = if major == 0 { format!("libcleanclaim.so.0.{minor}") } else { format!("libcleanclaim.so.{major}") };
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
}

fn env_num(key: &str) -> u32 {
    env::var(key).expect("set by cargo").parse().expect("numeric version part")
}
