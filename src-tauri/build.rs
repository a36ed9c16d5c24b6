fn main() {
    // The shipped build folds functions whose machine code is identical (generic code
    // monomorphized for types of one layout): about 0.5 MiB of the release binary. Rust never
    // relies on two functions having distinct addresses. Needs LLD, Rust's default linker on
    // x86_64 Linux since 1.90.
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rustc-link-arg-bins=-Wl,--icf=all");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build failed");
}
